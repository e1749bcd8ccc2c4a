import type { IncomingHttpHeaders } from 'node:http';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Methods that read: a cross-site page cannot read their answers (no CORS), so only the others are guarded for the control API. */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

function first(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text?.split(',')[0]?.trim().toLowerCase() || undefined;
}

/** Whether `origin` (scheme://host[:port]) names the host a `Host`-style header names. */
function sameHost(origin: URL, host: string): boolean {
  const colon = host.lastIndexOf(':');
  const hasPort = colon > host.lastIndexOf(']');
  const name = hasPort ? host.slice(0, colon) : host;
  if (origin.hostname !== name) return false;
  const originPort = origin.port || (origin.protocol === 'https:' ? '443' : '80');
  // A Host without a port is the scheme's default port, whichever scheme the browser used.
  return hasPort ? originPort === host.slice(colon + 1) : originPort === '443' || originPort === '80';
}

/**
 * Why a request that carries the session cookie may have been sent by another site's page, or
 * undefined when it comes from H-MAS's own pages or from no browser at all:
 * - `Sec-Fetch-Site` (set by the browser, no page can forge it) wins: only `same-origin`, and
 *   `none` (the user typed the URL) for reads, pass. `same-site` is refused: a sibling subdomain
 *   is another application.
 * - Else `Origin` must name this server: `Host`, or `X-Forwarded-Host` behind a proxy that
 *   rewrites `Host` (a page cannot add either header to a cross-origin request without a
 *   preflight, which H-MAS never answers). The scheme is not compared: a TLS proxy in front means
 *   the server cannot know it.
 * - Neither header: not a browser (every current browser sends `Origin` on a cross-origin POST,
 *   form posts included), so there is no other site's page to guard against.
 */
export function crossOriginReason(method: string, headers: IncomingHttpHeaders): string | undefined {
  const fetchSite = first(headers['sec-fetch-site']);
  if (fetchSite !== undefined) {
    if (fetchSite === 'same-origin' || (fetchSite === 'none' && isSafeMethod(method))) return undefined;
    return `the browser says it was sent from a ${fetchSite} page (Sec-Fetch-Site: ${fetchSite})`;
  }
  const origin = first(headers.origin);
  if (origin === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return `its Origin "${origin.slice(0, 100)}" is not an origin`;
  }
  const hosts = [first(headers.host), first(headers['x-forwarded-host'])];
  if (hosts.some((host) => host !== undefined && sameHost(parsed, host))) return undefined;
  return `it was sent from ${parsed.origin}, not from this server's pages`;
}
