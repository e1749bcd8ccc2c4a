import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../support/test-app.js';

// Cross-site request forgery with the session cookie: a page on another site makes a signed-in
// admin's browser send a "simple" request (text/plain or form body, or no body: no CORS
// preflight) that carries the cookie. Over real HTTP, the gateway and the control API refuse it
// with 403 and say why; the web UI's own requests (same origin, JSON) and API clients (API keys,
// bearer tokens) pass. The check reads headers only, so PGlite alone is enough here.

const DEPLOYMENT = 'csrf';
const EVIL = 'https://evil.example';
const CHAT = JSON.stringify({ model: DEPLOYMENT, messages: [{ role: 'user', content: 'Hi' }] });

describe('the session cookie from other sites’ pages', () => {
  let t: TestApp;
  let base: string;
  let self: string;
  let upstream: FakeUpstream;
  let deployment: { id: string; remove(): Promise<void> };
  let cookie: string;
  let bearer: string;
  let apiKey: string;

  const send = async (method: 'GET' | 'POST' | 'DELETE', path: string, headers: Record<string, string>, body?: string) => {
    const response = await request(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? (JSON.parse(text) as { error?: { code?: string; type?: string; message?: string } }) : {} };
  };

  beforeAll(async () => {
    t = await createTestApp('pglite', { HMAS_RATE_LIMIT_RPM: '0' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
    self = base;
    upstream = await startFakeUpstream();
    deployment = await insertServedDeployment(t.database.handle, DEPLOYMENT, [upstream.url]);
    const login = await request(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }) });
    const token = ((await login.body.json()) as { accessToken: string }).accessToken;
    cookie = `hmas_access=${token}`;
    bearer = `Bearer ${token}`;
    ({ key: apiKey } = await t.apiKey({ name: 'csrf' }));
  });
  afterAll(async () => {
    await deployment?.remove();
    await t?.close();
    await upstream?.close();
  });

  it.each([
    ['a text/plain post from another origin', '/v1/chat/completions', { 'content-type': 'text/plain', origin: EVIL }, 'CSRF_ORIGIN_MISMATCH'],
    ['a form post the browser marks cross-site', '/v1/chat/completions', { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', origin: EVIL }, 'CSRF_ORIGIN_MISMATCH'],
    ['a sibling subdomain (same-site, not same-origin)', `/api/inference/${DEPLOYMENT}/v1/chat/completions`, { 'content-type': 'application/json', 'sec-fetch-site': 'same-site' }, 'CSRF_ORIGIN_MISMATCH'],
    ['a text/plain post by path without an Origin', `/api/inference/${DEPLOYMENT}/v1/chat/completions`, { 'content-type': 'text/plain' }, 'CSRF_JSON_REQUIRED'],
  ])('gateway: refuses %s with 403 in OpenAI’s shape, before the runtime sees it', async (_name, path, headers, code) => {
    const before = upstream.received.length;
    const response = await send('POST', path, { cookie, ...headers }, CHAT);
    expect(response.status).toBe(403);
    expect(response.json).toEqual({ error: { message: expect.stringContaining('session cookie'), type: 'permission_error', code, param: null } });
    expect(upstream.received.length).toBe(before);
  });

  // Headers are built when the test runs: the session and the key exist only after beforeAll.
  it.each<[string, () => Record<string, string>]>([
    ['the web UI’s own JSON request (same Origin)', () => ({ cookie, 'content-type': 'application/json', origin: self })],
    ['a same-origin fetch (Sec-Fetch-Site)', () => ({ cookie, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' })],
    ['an API key, whatever the origin and content type', () => ({ authorization: `Bearer ${apiKey}`, 'content-type': 'text/plain', origin: EVIL })],
    ['a bearer session token, whatever the origin', () => ({ authorization: bearer, 'content-type': 'text/plain', origin: EVIL, cookie })],
  ])('gateway: serves %s', async (_name, headers) => {
    const response = await send('POST', '/v1/chat/completions', headers(), CHAT);
    expect(response.status, JSON.stringify(response.json)).toBe(200);
  });

  it('control API: refuses a cookie-signed change from another origin, even one without a body, and keeps the key', async () => {
    const { id } = await t.apiKey({ name: 'victim' });
    // fetch(url, { method: 'DELETE' | 'POST', credentials: 'include' }) without a body: no content type to refuse.
    const revoke = await send('DELETE', `/api/api-keys/${id}`, { cookie, origin: EVIL });
    expect(revoke.status).toBe(403);
    expect(revoke.json.error?.code).toBe('CSRF_ORIGIN_MISMATCH');
    const pause = await send('POST', `/api/deployments/${deployment.id}/pause`, { cookie, 'sec-fetch-site': 'cross-site' });
    expect(pause.status).toBe(403);
    expect(pause.json.error?.code).toBe('CSRF_ORIGIN_MISMATCH');
    const keys = await send('GET', '/api/api-keys?limit=100', { cookie, origin: EVIL });
    expect(keys.status).toBe(200);
    expect(JSON.stringify(keys.json)).toContain(id);
    const deployments = await send('GET', `/api/deployments/${deployment.id}`, { cookie });
    expect(JSON.stringify(deployments.json)).not.toContain('"paused":true');
  });

  it('control API: accepts the web UI’s own changes (same Origin or Sec-Fetch-Site) and bearer tokens from anywhere', async () => {
    const created = await send('POST', '/api/api-keys', { cookie, origin: self, 'content-type': 'application/json' }, JSON.stringify({ name: 'from-the-ui' }));
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id = (created.json as unknown as { id: string }).id;
    expect((await send('DELETE', `/api/api-keys/${id}`, { cookie, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    const { id: other } = await t.apiKey({ name: 'by-bearer' });
    expect((await send('DELETE', `/api/api-keys/${other}`, { authorization: bearer, origin: EVIL })).status).toBe(200);
  });
});
