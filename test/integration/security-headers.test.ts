// Security headers of the UI, the API docs and the control API; none on the gateway's answers.
// Headers do not depend on the database, so this runs on PGlite only.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';

async function appWithUi(env: Record<string, string> = {}): Promise<{ t: TestApp; close(): Promise<void> }> {
  const webDir = await mkdtemp(path.join(tmpdir(), 'hmas-web-'));
  await writeFile(path.join(webDir, 'index.html'), '<!doctype html><title>H-MAS</title><script type="module" src="/assets/index.js"></script>');
  const t = await createTestApp('pglite', { ...env, HMAS_WEB_DIR: webDir });
  return {
    t,
    async close() {
      await t.close();
      await rm(webDir, { recursive: true, force: true });
    },
  };
}

const directives = (header: unknown) =>
  Object.fromEntries(
    String(header)
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name!, values.join(' ')]),
  );

describe('security headers (pglite)', { timeout: 60_000 }, () => {
  let app: Awaited<ReturnType<typeof appWithUi>>;
  beforeAll(async () => {
    app = await appWithUi();
  });
  afterAll(async () => app?.close());

  it('sends a strict CSP, no framing, nosniff and no referrer with the UI, and no HSTS over plain HTTP', async () => {
    for (const url of ['/', '/settings/users']) {
      const response = await app.t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      const csp = directives(response.headers['content-security-policy']);
      expect(csp).toMatchObject({ 'default-src': "'self'", 'script-src': "'self'", 'style-src': "'self'", 'frame-ancestors': "'none'", 'object-src': "'none'", 'base-uri': "'self'" });
      expect(csp).not.toHaveProperty('upgrade-insecure-requests');
      expect(String(response.headers['content-security-policy'])).not.toContain('unsafe');
      expect(response.headers).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
      expect(response.headers).not.toHaveProperty('strict-transport-security');
    }
  });

  it('lets Swagger UI at /api/docs style its elements, and still forbids framing it', async () => {
    const response = await app.t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('swagger-ui-bundle.js');
    const csp = directives(response.headers['content-security-policy']);
    expect(csp).toMatchObject({ 'script-src': "'self'", 'style-src': "'self' 'unsafe-inline'", 'frame-ancestors': "'none'" });
    expect(response.headers['x-frame-options']).toBe('DENY');
    const spec = await app.t.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(spec.statusCode).toBe(200);
  });

  it('sends the headers with control API answers, errors included', async () => {
    const me = await app.t.app.inject({ method: 'GET', url: '/api/auth/me', headers: await app.t.admin() });
    const anonymous = await app.t.app.inject({ method: 'GET', url: '/api/auth/me' });
    for (const response of [me, anonymous]) {
      expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' });
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it("leaves the gateway's answers alone (API clients, hot path)", async () => {
    const response = await app.t.app.inject({ method: 'GET', url: '/v1/models', headers: await app.t.admin() });
    expect(response.statusCode).toBe(200);
    expect(response.headers).not.toHaveProperty('content-security-policy');
    expect(response.headers).not.toHaveProperty('x-frame-options');
  });
});

describe('security headers over HTTPS (HMAS_COOKIE_SECURE=true, pglite)', { timeout: 60_000 }, () => {
  it('adds HSTS for this host and upgrades insecure requests', async () => {
    const app = await appWithUi({ HMAS_COOKIE_SECURE: 'true' });
    try {
      const response = await app.t.app.inject({ method: 'GET', url: '/' });
      expect(response.headers['strict-transport-security']).toBe('max-age=15552000');
      expect(directives(response.headers['content-security-policy'])).toHaveProperty('upgrade-insecure-requests');
    } finally {
      await app.close();
    }
  });
});
