import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

describe.each(testBackends())('auth (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { HMAS_LOGIN_MAX_FAILURES: '3' });
  });
  afterAll(async () => t?.close());

  it('creates the first admin on first start and signs in with the configured password', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: TEST_ADMIN_PASSWORD } });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ accessToken: string; user: { username: string; role: string; lastLoginAt: string | null } }>();
    expect(body.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(body.user.lastLoginAt).not.toBeNull();
    expect(body.accessToken.split('.')).toHaveLength(3);
    const cookie = response.cookies.find((c) => c.name === 'hmas_access');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.value).toBe(body.accessToken);
    expect(JSON.stringify(body)).not.toContain('passwordHash');
  });

  it('accepts the session cookie and the bearer token alike', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: TEST_ADMIN_PASSWORD } });
    const token = login.json<{ accessToken: string }>().accessToken;
    const viaCookie = await t.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { hmas_access: token } });
    const viaBearer = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(viaCookie.statusCode).toBe(200);
    expect(viaBearer.statusCode).toBe(200);
    expect(viaCookie.json()).toEqual(viaBearer.json());
  });

  it('answers 401 with distinct codes for no session, a garbage token and a forged token', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/auth/me' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('UNAUTHENTICATED');
    const garbage = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: 'Bearer nonsense' } });
    expect(garbage.json().error.code).toBe('INVALID_TOKEN');
    const forged = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' },
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error.code).toBe('INVALID_TOKEN');
    const badScheme = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: 'Basic abc' } });
    expect(badScheme.statusCode).toBe(401);
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const wrongPassword = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'not-the-password' } });
    const unknownUser = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ghost', password: 'whatever-password' } });
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownUser.statusCode).toBe(401);
    expect(wrongPassword.json().error.message).toBe(unknownUser.json().error.message);
    expect(wrongPassword.json().error.code).toBe('INVALID_CREDENTIALS');
  });

  it('throttles repeated failed logins with 429 and Retry-After, also for the right password', async () => {
    const viewer = await t.userWithRole('viewer', 'throttled');
    expect(viewer.id).toBeTruthy();
    const attempt = (password: string) =>
      t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.0.0.7', payload: { username: 'throttled', password } });
    for (let i = 0; i < 3; i += 1) expect((await attempt('wrong-password')).statusCode).toBe(401);
    const blocked = await attempt('throttled-password');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('LOGIN_THROTTLED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected.
    const elsewhere = await t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.0.0.8', payload: { username: 'throttled', password: 'throttled-password' } });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('logout clears the cookie', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: await t.login('admin', TEST_ADMIN_PASSWORD) });
    expect(response.statusCode).toBe(204);
    const cookie = response.cookies.find((c) => c.name === 'hmas_access');
    expect(cookie?.value).toBe('');
  });

  it('ends the session on sign-out: the same token is refused as bearer and as cookie, by the control API at once and by the gateway', async () => {
    const session = await t.login('admin', TEST_ADMIN_PASSWORD);
    const token = session.authorization.replace('Bearer ', '');
    const other = await t.login('admin', TEST_ADMIN_PASSWORD);
    const me = (headers: Record<string, string>, cookies?: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers, ...(cookies ? { cookies } : {}) });
    const models = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/v1/models', headers });
    expect((await me(session)).statusCode).toBe(200);
    expect((await models(session)).statusCode).toBe(200);

    // Signed out through the cookie, the way the web UI does it.
    const logout = await t.app.inject({ method: 'POST', url: '/api/auth/logout', cookies: { hmas_access: token } });
    expect(logout.statusCode).toBe(204);

    const asBearer = await me(session);
    expect(asBearer.statusCode).toBe(401);
    expect(asBearer.json().error.code).toBe('SESSION_REVOKED');
    expect((await me({}, { hmas_access: token })).statusCode).toBe(401);
    const gateway = await waitFor('the gateway to refuse the signed-out token', async () => {
      const response = await models(session);
      return response.statusCode === 401 ? response : undefined;
    });
    expect(gateway.json().error.code).toBe('SESSION_REVOKED');
    // Only that session ended.
    expect((await me(other)).statusCode).toBe(200);
    expect((await models(other)).statusCode).toBe(200);
    // Signing out again with the ended token changes nothing and is no error.
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: session })).statusCode).toBe(204);
  });

  it('refuses tokens signed with the real secret but without exp, iat or a session id, or issued in the future', async () => {
    const admin = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: await t.admin() })).json<{ user: { id: string } }>().user;
    const nowSeconds = Math.floor(Date.now() / 1000);
    const forge = (claims: { iat?: number; exp?: number; jti?: string }) =>
      new SignJWT({ role: 'admin', sv: 0, ...claims })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(admin.id)
        .setIssuer('hmas')
        .setAudience('hmas-api')
        .sign(new TextEncoder().encode(t.config.jwtSecret!));
    const status = async (token: string) => (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode;
    expect(await status(await forge({ iat: nowSeconds, exp: nowSeconds + 600, jti: 'complete' }))).toBe(200);
    for (const [what, claims] of [
      ['no exp', { iat: nowSeconds, jti: 'no-exp' }],
      ['no iat', { exp: nowSeconds + 600, jti: 'no-iat' }],
      ['no jti', { iat: nowSeconds, exp: nowSeconds + 600 }],
      ['iat in a year', { iat: nowSeconds + 365 * 86_400, exp: nowSeconds + 366 * 86_400, jti: 'future' }],
    ] as const) {
      const token = await forge(claims);
      expect(await status(token), what).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${token}` } })).statusCode, what).toBe(401);
    }
  });

  it('signs a user out everywhere when their password changes or they are disabled', async () => {
    const user = await t.userWithRole('operator', 'revoked');
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: user.headers })).statusCode).toBe(200);
    const change = await t.app.inject({
      method: 'POST',
      url: '/api/users/me/password',
      headers: user.headers,
      payload: { currentPassword: 'revoked-password', newPassword: 'a-brand-new-password' },
    });
    expect(change.statusCode).toBe(204);
    const old = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: user.headers });
    expect(old.statusCode).toBe(401);
    expect(old.json().error.code).toBe('SESSION_REVOKED');
    const fresh = await t.login('revoked', 'a-brand-new-password');
    await t.app.inject({ method: 'PATCH', url: `/api/users/${user.id}`, headers: await t.admin(), payload: { disabled: true } });
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: fresh })).statusCode).toBe(401);
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'revoked', password: 'a-brand-new-password' } });
    expect(login.statusCode).toBe(401);
  });
});
