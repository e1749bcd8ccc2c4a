/**
 * Header handling between the client and an upstream runtime (RFC 9110 §7.6.1): hop-by-hop
 * headers belong to one connection and are never forwarded, in either direction — the fixed
 * list below and any name a `Connection` header lists. Headers are handled as flat
 * `[name, value, name, value, …]` arrays, the form both Node (`writeHead`) and undici take, so
 * nothing is copied into objects on the hot path.
 */

/** Hop-by-hop headers (lower case). `proxy-*` is matched by prefix. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/**
 * Request headers the gateway never passes on: the caller's credentials stay with H-MAS (a
 * runtime has no business seeing H-MAS keys or sessions), `host` is the upstream's, and the
 * length is recomputed for the body actually sent.
 */
const REQUEST_DROPPED = new Set(['host', 'authorization', 'cookie', 'content-length', 'expect', 'accept-encoding', 'x-request-id', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);

/** Response headers the gateway sets itself. */
const RESPONSE_DROPPED = new Set(['x-request-id', 'x-hmas-overhead-ms', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after']);

export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-');
}

/** Names listed in a `Connection` header value (`close`, `keep-alive`, `x-foo`), lower case. */
function connectionListed(value: string | undefined): Set<string> | undefined {
  // The usual values name only hop-by-hop headers that are dropped anyway.
  if (!value || value === 'keep-alive' || value === 'close' || value === 'Keep-Alive' || value === 'Close') return undefined;
  let listed: Set<string> | undefined;
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name) (listed ??= new Set()).add(name);
  }
  return listed;
}

/**
 * The client's headers as the upstream gets them: flat `[name, value, …]` without hop-by-hop
 * headers, credentials, host or length. `keepLength` keeps `content-length` (a body streamed
 * through unchanged). Node gives `rawHeaders` flat, with names as the client wrote them.
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], options: { keepLength?: boolean } = {}): string[] {
  let listed: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.length === 10 && rawHeaders[i]!.toLowerCase() === 'connection') listed = connectionListed(rawHeaders[i + 1]);
  }
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (isHopByHop(name) || listed?.has(name)) continue;
    if (REQUEST_DROPPED.has(name) && !(options.keepLength && name === 'content-length')) continue;
    out.push(name, rawHeaders[i + 1]!);
  }
  return out;
}

/**
 * The upstream's response headers as the client gets them: flat `[name, value, …]` strings
 * without hop-by-hop headers or those the gateway sets. `dropLength` removes `content-length`
 * (the body is changed on its way). undici gives them as Buffers.
 */
export function clientResponseHeaders(
  rawHeaders: readonly Buffer[],
  options: { dropLength?: boolean } = {},
): { headers: string[]; contentType: string | undefined; contentEncoding: string | undefined } {
  let listed: Set<string> | undefined;
  let contentType: string | undefined;
  let contentEncoding: string | undefined;
  const names: string[] = new Array<string>(rawHeaders.length >> 1);
  for (let i = 0, j = 0; i < rawHeaders.length; i += 2, j += 1) {
    const name = rawHeaders[i]!.toString('latin1').toLowerCase();
    names[j] = name;
    if (name === 'connection') listed = connectionListed(rawHeaders[i + 1]!.toString('latin1'));
  }
  const out: string[] = [];
  for (let i = 0, j = 0; i < rawHeaders.length; i += 2, j += 1) {
    const name = names[j]!;
    if (isHopByHop(name) || RESPONSE_DROPPED.has(name) || listed?.has(name)) continue;
    if (options.dropLength && name === 'content-length') continue;
    const value = rawHeaders[i + 1]!.toString('latin1');
    if (name === 'content-type') contentType = value;
    else if (name === 'content-encoding') contentEncoding = value;
    out.push(name, value);
  }
  return { headers: out, contentType, contentEncoding };
}

/** Removes `content-length` from a flat header list (in place). */
export function withoutContentLength(headers: string[]): string[] {
  for (let i = headers.length - 2; i >= 0; i -= 2) {
    if (headers[i] === 'content-length') headers.splice(i, 2);
  }
  return headers;
}
