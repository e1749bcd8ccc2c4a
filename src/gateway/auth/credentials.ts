import { looksLikeApiKey } from '../../domain/api-key.js';
import { SESSION_COOKIE } from '../../server/auth-plugin.js';
import { looksLikeJwt } from '../../services/auth/token-service.js';
import { GatewayError } from '../gateway-error.js';

/** What a request presents: an API key, or a session JWT (Bearer header or the session cookie). */
export type Credentials = { kind: 'api_key'; key: string } | { kind: 'jwt'; token: string; via: 'bearer' | 'cookie' };

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The value of one cookie in a `Cookie` header, or undefined. */
export function readCookie(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/**
 * Tells the credential forms apart: `Bearer sk-hmas-…` is an API key, a three-part token is a
 * JWT; without an Authorization header, the session cookie. The header wins over the cookie.
 * `undefined` when nothing was presented; a GatewayError 401 for a header of no known form.
 */
export function readCredentials(headers: { authorization?: string | undefined; cookie?: string | undefined }): Credentials | undefined {
  const header = headers.authorization;
  if (header !== undefined) {
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new GatewayError(401, 'INVALID_AUTHORIZATION', 'The Authorization header must be "Bearer <API key or session token>".');
    if (looksLikeApiKey(token)) return { kind: 'api_key', key: token };
    if (looksLikeJwt(token)) return { kind: 'jwt', token, via: 'bearer' };
    throw new GatewayError(401, 'INVALID_API_KEY', 'The bearer token is neither an H-MAS API key (sk-hmas-…) nor a session token.');
  }
  const cookie = headers.cookie === undefined ? undefined : readCookie(headers.cookie, SESSION_COOKIE);
  return cookie ? { kind: 'jwt', token: cookie, via: 'cookie' } : undefined;
}
