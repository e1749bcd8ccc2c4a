import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { SignJWT } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * The regression net for authentication and authorization, written as an attacker would try:
 * forged and tampered session tokens against the control API and the gateway, and an API key
 * limited to one deployment trying every way around that limit. The deployment it may not call
 * stands behind an upstream of its own, which must never see a request.
 */

const SECRET = 'test-secret-test-secret-test-secret-0123456789';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function signed(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: number | null; issuedAt?: number | null } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({ jti: randomUUID(), ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer('hmas').setAudience('hmas-api');
  if (options.issuedAt !== null) jwt = jwt.setIssuedAt(options.issuedAt ?? now);
  if (options.expiresIn !== null) jwt = jwt.setExpirationTime(now + (options.expiresIn ?? 3600));
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** Sends bytes as they are (no client normalises the path). */
function rawRequest(base: string, lines: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(lines));
    let text = '';
    socket.on('data', (part: Buffer) => (text += part.toString('latin1')));
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }));
    socket.on('error', reject);
  });
}

// One backend: nothing here depends on the database engine.
describe('authentication and authorization attacks', { timeout: 60_000 }, () => {
  let t: TestApp;
  let base: string;
  let admin: { authorization: string };
  let adminId: string;
  /** The admin's real session version: forgeries differ from a real token only in what they test. */
  let sv: number;
  let viewerToken: string;
  let allowedUpstream: FakeUpstream;
  let secretUpstream: FakeUpstream;
  let limitedKey: string;
  const served: Array<{ remove(): Promise<void> }> = [];

  beforeAll(async () => {
    t = await createTestApp('pglite', { HMAS_RATE_LIMIT_RPM: '0' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address() as net.AddressInfo;
    base = `http://127.0.0.1:${address.port}`;
    admin = await t.admin();
    adminId = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: admin })).json<{ user: { id: string } }>().user.id;
    sv = (JSON.parse(Buffer.from(admin.authorization.split('.')[1]!, 'base64url').toString()) as { sv: number }).sv;
    viewerToken = (await t.userWithRole('viewer', 'forgery-viewer')).headers.authorization.slice('Bearer '.length);
    allowedUpstream = await startFakeUpstream();
    secretUpstream = await startFakeUpstream();
    served.push(await insertServedDeployment(t.database.handle, 'allowed-dep', [allowedUpstream.url]));
    served.push(await insertServedDeployment(t.database.handle, 'secret-dep', [secretUpstream.url]));
    limitedKey = (await t.apiKey({ name: 'limited', allowedDeployments: ['allowed-dep'] })).key;
  });
  afterAll(async () => {
    for (const deployment of served) await deployment.remove();
    await t?.close();
    await allowedUpstream?.close();
    await secretUpstream?.close();
  });

  describe('forged session tokens', () => {
    const forgeries: Array<[string, () => Promise<string>]> = [
      ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: adminId, role: 'admin', sv, iss: 'hmas', aud: 'hmas-api', exp: 9_999_999_999 })}.`],
      ['alg none with a signature part', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: adminId, role: 'admin', sv, iss: 'hmas', aud: 'hmas-api', exp: 9_999_999_999 })}.AAAA`],
      ['another secret', () => signed({ sub: adminId, role: 'admin', sv }, { secret: 'not-the-secret-not-the-secret-not-the-secret' })],
      ['expired', () => signed({ sub: adminId, role: 'admin', sv }, { expiresIn: -60 })],
      ['no expiry', () => signed({ sub: adminId, role: 'admin', sv }, { expiresIn: null })],
      ['no issued-at', () => signed({ sub: adminId, role: 'admin', sv }, { issuedAt: null })],
      ['no session id', () => signed({ sub: adminId, role: 'admin', sv, jti: undefined })],
      ['a user that does not exist', () => signed({ sub: '00000000-0000-4000-8000-000000000000', role: 'admin', sv })],
      ['a stale session version', () => signed({ sub: adminId, role: 'admin', sv: sv - 1 })],
      ['a payload swapped under a real signature', async () => {
        const [header, payload, signature] = viewerToken.split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
        return `${header}.${b64({ ...claims, role: 'admin', sub: adminId })}.${signature}`;
      }],
      ['HS512 with the real secret', async () => {
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({ jti: randomUUID(), sub: adminId, role: 'admin', sv }).setProtectedHeader({ alg: 'HS512' }).setIssuer('hmas').setAudience('hmas-api').setIssuedAt(now).setExpirationTime(now + 60).sign(new TextEncoder().encode(SECRET));
      }],
      ['another audience', async () => {
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({ jti: randomUUID(), sub: adminId, role: 'admin', sv }).setProtectedHeader({ alg: 'HS256' }).setIssuer('hmas').setAudience('something-else').setIssuedAt(now).setExpirationTime(now + 60).sign(new TextEncoder().encode(SECRET));
      }],
    ];

    it('accepts a token made the same way with the real secret and claims (the control)', async () => {
      const token = await signed({ sub: adminId, role: 'admin', sv });
      const response = await t.app.inject({ method: 'GET', url: '/api/users', headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode, response.body).toBe(200);
    });

    it.each(forgeries)('refuses a token with %s on the control API, as bearer and as cookie', async (_name, forge) => {
      const token = await forge();
      for (const headers of [{ authorization: `Bearer ${token}` }, { cookie: `hmas_access=${token}` }]) {
        const response = await t.app.inject({ method: 'GET', url: '/api/users', headers });
        expect(response.statusCode, response.body).toBe(401);
        const created = await t.app.inject({ method: 'POST', url: '/api/users', headers, payload: { username: 'intruder', role: 'admin', password: 'intruder-password' } });
        expect(created.statusCode, created.body).toBe(401);
      }
    });

    it.each(forgeries)('refuses a token with %s on the gateway', async (_name, forge) => {
      const token = await forge();
      const before = allowedUpstream.received.length;
      const response = await request(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'allowed-dep', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await response.body.text();
      expect(response.statusCode).toBe(401);
      expect(allowedUpstream.received.length).toBe(before);
    });

    it('never lets an API key act on the control API', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/users', headers: { authorization: `Bearer ${limitedKey}` } });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('an API key limited to one deployment', () => {
    const chat = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });
    const attempts: Array<[string, string, string | undefined]> = [
      ['the other deployment by name', '/api/inference/secret-dep/v1/chat/completions', chat('secret-dep')],
      ['the other deployment by /v1 model', '/v1/chat/completions', chat('secret-dep')],
      ['the other deployment by its model name', '/v1/chat/completions', chat('secret-dep-model')],
      ['the name in capitals', '/api/inference/SECRET-DEP/v1/chat/completions', chat('SECRET-DEP')],
      ['the model in capitals', '/v1/chat/completions', chat('SECRET-DEP')],
      ['the model with spaces', '/v1/chat/completions', chat(' secret-dep ')],
      ['a percent-encoded name', '/api/inference/%73ecret-dep/v1/chat/completions', chat('allowed-dep')],
      ['dot segments after the allowed name', '/api/inference/allowed-dep/../secret-dep/v1/chat/completions', chat('allowed-dep')],
      ['encoded dot segments', '/api/inference/allowed-dep/%2e%2e/secret-dep/v1/chat/completions', chat('allowed-dep')],
      ['an encoded slash in the name', '/api/inference/secret-dep%2fx/v1/chat/completions', chat('allowed-dep')],
      ['a double slash', '//api/inference/secret-dep/v1/chat/completions', chat('allowed-dep')],
      ['the model in the query', '/v1/chat/completions?model=secret-dep', chat('secret-dep')],
      ['a duplicated model key', '/v1/chat/completions', '{"model":"allowed-dep","messages":[{"role":"user","content":"hi"}],"model":"secret-dep"}'],
      ['an escaped model key', '/v1/chat/completions', '{"\\u006dodel":"secret-dep","messages":[{"role":"user","content":"hi"}]}'],
      ['a model with a NUL', '/v1/chat/completions', chat('secret-dep\u0000')],
    ];

    it.each(attempts)('cannot reach the other deployment through %s', async (_name, path, body) => {
      const before = secretUpstream.received.length;
      const answer = await rawRequest(
        base,
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${limitedKey}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body ?? '')}\r\nConnection: close\r\n\r\n${body ?? ''}`,
      );
      expect(answer.status, JSON.stringify(answer.text)).toBeGreaterThanOrEqual(400);
      expect(answer.status, answer.text).toBeLessThan(500);
      expect(secretUpstream.received.length, 'the other deployment saw a request').toBe(before);
    });

    it('still reaches the deployment it may call', async () => {
      const response = await request(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${limitedKey}`, 'content-type': 'application/json' }, body: chat('allowed-dep') });
      expect(response.statusCode, await response.body.text()).toBe(200);
    });

    it('lists only the deployment it may call in /v1/models', async () => {
      const response = await request(`${base}/v1/models`, { headers: { authorization: `Bearer ${limitedKey}` } });
      const ids = (await response.body.json() as { data: Array<{ id: string }> }).data.map((entry) => entry.id);
      expect(ids).toContain('allowed-dep');
      expect(ids).not.toContain('secret-dep');
    });

    it('is refused everywhere once revoked', async () => {
      const key = await t.apiKey({ name: 'short-lived', allowedDeployments: ['allowed-dep'] });
      expect((await t.app.inject({ method: 'DELETE', url: `/api/api-keys/${key.id}`, headers: admin })).statusCode).toBe(200);
      const response = await request(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' }, body: chat('allowed-dep') });
      await response.body.text();
      expect(response.statusCode).toBe(401);
    });
  });
});
