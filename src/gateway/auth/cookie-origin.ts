import type { IncomingHttpHeaders } from 'node:http';
import { crossOriginReason, isSafeMethod } from '../../server/same-origin.js';
import { GatewayError } from '../gateway-error.js';
import { readCredentials } from './credentials.js';

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * The session cookie is the web UI's credential, and the browser sends it with requests other
 * sites' pages make: a text/plain or form post needs no CORS preflight. So a gateway request
 * signed in by cookie (no Authorization header) must come from H-MAS's own pages (see
 * `crossOriginReason`) and, when it may carry a body, say `Content-Type: application/json` —
 * which no other site's page can send without a preflight the gateway never answers. API keys
 * and bearer tokens are not sent by browsers on their own and pass untouched.
 */
export function refuseCrossSiteCookie(method: string, headers: IncomingHttpHeaders): void {
  if (headers.authorization !== undefined || readCredentials(headers) === undefined) return;
  const reason = crossOriginReason(method, headers);
  if (reason) {
    throw new GatewayError(403, 'CSRF_ORIGIN_MISMATCH', `Refused: ${reason}. Requests signed in with the session cookie must come from the H-MAS web UI; API clients send Authorization: Bearer <API key>.`);
  }
  if (!isSafeMethod(method) && !JSON_TYPE.test(headers['content-type'] ?? '')) {
    throw new GatewayError(403, 'CSRF_JSON_REQUIRED', 'Requests signed in with the session cookie must send Content-Type: application/json; API clients send Authorization: Bearer <API key>.');
  }
}
