const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;

/**
 * The origin-form (`/path?query`) of an HTTP request target. HTTP/1.1 lets a client send the
 * absolute-form (`POST http://host/api/inference/x/v1/chat/completions`, RFC 9112 §3.2.2) and Node
 * hands it over unchanged as `req.url`; everything after the router — the gateway's upstream
 * path, logs, error shapes — reads `req.url` as a path. The target's authority is ignored, as
 * nginx ignores it for routing here: `Host` stays the one name the server trusts (the same
 * origin check and `X-Forwarded-Host` read it), so a target cannot claim a second host.
 * Origin-form, asterisk-form and anything else come back as they are.
 */
export function originForm(url: string): string {
  if (url.startsWith('/')) return url;
  const authority = ABSOLUTE_FORM.exec(url);
  if (!authority) return url;
  const rest = url.slice(authority[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}
