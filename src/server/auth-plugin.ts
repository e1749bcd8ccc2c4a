import type { ZodApp } from './routes/route-types.js';
import type { FastifyRequest } from 'fastify';
import { looksLikeApiKey, type ApiKeyScope } from '../domain/api-key.js';
import { roleAtLeast, type Role } from '../domain/roles.js';
import { AppError, ForbiddenError, UnauthenticatedError } from '../lib/errors.js';
import type { SessionRevocationService } from '../services/auth/session-revocation-service.js';
import type { TokenService } from '../services/auth/token-service.js';
import { looksLikeJwt } from '../services/auth/token-service.js';
import type { UserService } from '../services/users/user-service.js';
import type { Principal } from './fastify-types.js';
import { crossOriginReason, isSafeMethod } from './same-origin.js';

export const SESSION_COOKIE = 'hmas_access';

/** Checks an API key presented to a route that takes keys of a scope; throws 401/403 AppErrors. */
export type ScopedApiKeyCheck = (key: string, scope: ApiKeyScope) => Promise<{ userId: string; username: string; role: Role; allowedDeployments: readonly string[] }>;

interface AuthDeps {
  tokens: TokenService;
  users: UserService;
  sessions: Pick<SessionRevocationService, 'isRevoked'>;
  /** For routes declaring `apiKeyScope` (the gateway's caller resolver); without it they take sessions only. */
  apiKeys?: ScopedApiKeyCheck | undefined;
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".', 'INVALID_TOKEN');
  return match[1];
}

/**
 * Resolves the caller from `Authorization: Bearer <jwt>` or the session cookie — or, on a route
 * that declares `apiKeyScope`, from `Authorization: Bearer sk-hmas-…` holding that scope (the
 * key acts as its owner, so the route's `access` still applies).
 */
export async function resolvePrincipal(request: FastifyRequest, deps: AuthDeps): Promise<Principal | undefined> {
  const bearer = bearerToken(request);
  const scope = request.routeOptions.config.apiKeyScope;
  if (bearer && scope && deps.apiKeys && looksLikeApiKey(bearer)) {
    const owner = await deps.apiKeys(bearer, scope);
    return { userId: owner.userId, username: owner.username, role: owner.role, via: 'api_key', allowedDeployments: owner.allowedDeployments };
  }
  const token = bearer ?? request.cookies[SESSION_COOKIE];
  if (!token) return undefined;
  const via = bearer ? 'bearer' : 'cookie';
  if (!looksLikeJwt(token)) throw new UnauthenticatedError('The token is not a valid session token.', 'INVALID_TOKEN');
  const claims = await deps.tokens.verify(token);
  if (!claims) throw new UnauthenticatedError('The session token is invalid or has expired; sign in again.', 'INVALID_TOKEN');
  const [user, signedOut] = await Promise.all([deps.users.findRow(claims.userId), deps.sessions.isRevoked(claims.tokenId)]);
  if (!user || user.disabled || user.sessionVersion !== claims.sessionVersion || signedOut) {
    throw new UnauthenticatedError('This session is no longer valid; sign in again.', 'SESSION_REVOKED');
  }
  return { userId: user.id, username: user.username, role: user.role, via };
}

/**
 * Enforces each route's declared `access`. Runs on request, before the body is parsed, so an
 * anonymous caller learns nothing about a route's schema.
 */
export function installAuth(app: ZodApp, deps: AuthDeps): void {
  app.decorateRequest('principal', undefined);

  app.addHook('onRoute', (route) => {
    const url = route.url ?? '';
    if (!url.startsWith('/api/')) return;
    route.config = { ...(route.config as object) };
    const config = route.config as { access?: string };
    // Routes added by the OpenAPI plugins are documentation, open to all.
    if (url.startsWith('/api/docs') || url === '/api/openapi.json') config.access ??= 'public';
    if (!config.access) throw new Error(`Route ${String(route.method)} ${url} does not declare who may call it (config.access).`);
    // A key that opens a route must not change anything: scopes are for reading (monitoring).
    const takesKeys = (route.config as { apiKeyScope?: string }).apiKeyScope !== undefined;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (takesKeys && methods.some((method) => method !== 'GET' && method !== 'HEAD')) {
      throw new Error(`Route ${String(route.method)} ${url} takes API keys (config.apiKeyScope) but is not read-only.`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    const principal = await resolvePrincipal(request, deps);
    if (!principal) throw new UnauthenticatedError();
    // The browser attaches the cookie to requests other sites' pages make (a form post to a
    // route without a body needs no JSON): a change signed in by cookie must come from our pages.
    if (principal.via === 'cookie' && !isSafeMethod(request.method)) {
      const reason = crossOriginReason(request.method, request.headers);
      if (reason) throw new AppError('CSRF_ORIGIN_MISMATCH', `Refused: ${reason}. Changes signed in with the session cookie must come from the H-MAS web UI; API clients send Authorization: Bearer.`, { statusCode: 403 });
    }
    request.principal = principal;
    if (!roleAtLeast(principal.role, access)) {
      throw new ForbiddenError(`This needs the ${access} role or higher; you are ${principal.role}.`);
    }
  });
}

/** The signed-in caller of a route that requires one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthenticatedError();
  return request.principal;
}
