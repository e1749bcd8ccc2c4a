import { z } from 'zod';
import { loginSchema, userSchema } from '../../domain/user.js';
import { TooManyRequestsError, UnauthenticatedError } from '../../lib/errors.js';
import { loginThrottleKeys, type LoginThrottle } from '../../services/auth/login-throttle.js';
import type { SessionRevocationService } from '../../services/auth/session-revocation-service.js';
import { looksLikeJwt, type TokenService } from '../../services/auth/token-service.js';
import { toUser, type UserService } from '../../services/users/user-service.js';
import { bearerToken, principalOf, resolvePrincipal, SESSION_COOKIE } from '../auth-plugin.js';
import type { ZodApp } from './route-types.js';

export function registerAuthRoutes(
  app: ZodApp,
  deps: { users: UserService; tokens: TokenService; sessions: SessionRevocationService; throttle: LoginThrottle; cookieSecure: boolean },
): void {
  app.post('/api/auth/login', {
    schema: {
      tags: ['auth'],
      summary: 'Sign in: sets the hmas_access cookie and returns the token for Authorization: Bearer.',
      body: loginSchema,
      response: { 200: z.object({ accessToken: z.string(), user: userSchema }) },
    },
    config: { access: 'public', audit: { action: 'auth.login', resourceType: 'session' } },
    handler: async (request, reply) => {
      const { username, password } = request.body;
      request.auditNote.actorUsername = username;
      const keys = loginThrottleKeys(username, request.ip);
      const waitMs = deps.throttle.retryAfterMs(keys);
      if (waitMs > 0) {
        request.auditNote.summary = 'login throttled after repeated failures';
        throw new TooManyRequestsError('LOGIN_THROTTLED', `Too many failed sign-ins; try again in ${Math.ceil(waitMs / 1000)} s.`, waitMs / 1000);
      }
      const row = await deps.users.verifyCredentials(username, password);
      if (!row) {
        deps.throttle.recordFailure(keys);
        request.auditNote.summary = 'login failed: wrong username or password, or account disabled';
        throw new UnauthenticatedError('Wrong username or password.', 'INVALID_CREDENTIALS');
      }
      deps.throttle.reset(keys.slice(0, 1));
      await deps.users.recordLogin(row.id);
      const accessToken = await deps.tokens.sign({ userId: row.id, role: row.role, sessionVersion: row.sessionVersion });
      request.principal = { userId: row.id, username: row.username, role: row.role, via: 'cookie' };
      request.auditNote.resourceId = row.id;
      request.auditNote.summary = 'signed in';
      reply.setCookie(SESSION_COOKIE, accessToken, {
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.cookieSecure,
        path: '/',
        maxAge: deps.tokens.ttlSeconds,
      });
      return { accessToken, user: toUser({ ...row, lastLoginAt: new Date() }) };
    },
  });

  app.post('/api/auth/logout', {
    schema: { tags: ['auth'], summary: 'Sign out: ends the session (its token stops working, as bearer and as cookie) and clears the cookie.' },
    config: { access: 'public', audit: { action: 'auth.logout', resourceType: 'session' } },
    handler: async (request, reply) => {
      request.principal = await resolvePrincipal(request, deps).catch(() => undefined);
      request.auditNote.resourceId = request.principal?.userId;
      // Tokens are stateless: without a revocation a copy of the cookie or the bearer token
      // would keep working until it expires. Every session token the request carries ends here.
      let bearer: string | undefined;
      try {
        bearer = bearerToken(request);
      } catch {
        bearer = undefined;
      }
      let ended = 0;
      for (const token of new Set([bearer, request.cookies[SESSION_COOKIE]])) {
        const session = token && looksLikeJwt(token) ? await deps.tokens.verify(token) : undefined;
        if (!session) continue;
        await deps.sessions.revoke(session);
        ended += 1;
      }
      request.auditNote.summary = ended > 0 ? 'signed out' : 'signed out (no valid session to end)';
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  });

  app.get('/api/auth/me', {
    schema: { tags: ['auth'], summary: 'The signed-in user.', response: { 200: z.object({ user: userSchema }) } },
    config: { access: 'viewer' },
    handler: async (request) => ({ user: await deps.users.get(principalOf(request).userId) }),
  });
}
