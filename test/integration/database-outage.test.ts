import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

// A real PostgreSQL outage: the server reaches its database through a TCP proxy the test cuts.
// Callers the gateway already knows keep being served; everything that needs the database
// answers 503 DATABASE_UNAVAILABLE with Retry-After (never 500, never 401); once the database is
// back, everything answers again. PostgreSQL only: a PGlite database lives in the process and
// cannot become unreachable and come back.

const DEPLOYMENT = 'outage';

/** The test's database, reached only through `proxy`. */
async function databaseBehindProxy(): Promise<{ database: TestDatabase; proxy: TcpProxy }> {
  const direct = await createTestDatabase('postgres');
  const url = new URL(direct.url!);
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  const handle = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 5 });
  return {
    proxy,
    database: {
      handle,
      url: url.toString(),
      async drop() {
        await handle.close().catch(() => undefined);
        await proxy.close();
        await direct.drop();
      },
    },
  };
}

describe.runIf(process.env.TEST_DATABASE_URL)('a database outage (postgres)', { timeout: 60_000 }, () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let upstream: FakeUpstream;
  let deployment: { remove(): Promise<void> };
  let key: string;
  let admin: { authorization: string };

  const chat = (authorization: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization, 'content-type': 'application/json' },
      payload: { model: DEPLOYMENT, messages: [{ role: 'user', content: 'Hi' }] },
    });
  const ready = () => t.app.inject({ method: 'GET', url: '/readyz' });

  beforeAll(async () => {
    const behind = await databaseBehindProxy();
    proxy = behind.proxy;
    t = await createTestApp('postgres', { HMAS_RATE_LIMIT_RPM: '0' }, { database: behind.database });
    upstream = await startFakeUpstream();
    deployment = await insertServedDeployment(t.database.handle, DEPLOYMENT, [upstream.url]);
    admin = await t.admin();
    ({ key } = await t.apiKey({ name: 'outage' }));
  });
  afterAll(async () => {
    await proxy?.restore();
    await deployment?.remove();
    await t?.close();
    await upstream?.close();
  });

  // refuse: the database server is down (connections refused); drop: the link breaks (connections cut).
  it.each(['refuse', 'drop'] as const)('serves known callers, answers 503 for the rest, and recovers when the database is back (%s)', async (mode) => {
    // Never seen by this server (each case its own: "unknown" is remembered for 5 s).
    const UNKNOWN_KEY = `sk-hmas-${(mode === 'refuse' ? 'Q' : 'R').repeat(43)}`;
    // Known before the outage: the key and its owner are cached, the route table is loaded.
    for (const authorization of [`Bearer ${key}`, admin.authorization]) {
      const response = await chat(authorization);
      expect(response.statusCode, response.body).toBe(200);
    }

    proxy.cut(mode);
    // The pool's open connections die first ("terminated"); new ones are then refused.
    const reason = mode === 'refuse' ? /^unreachable: connection refused$/ : /^unreachable: connection (terminated|lost)$/;
    const notReady = await waitFor(`/readyz to fail with ${String(reason)}`, async () => {
      const response = await ready();
      return response.statusCode === 503 && reason.test(response.json<{ checks: { database?: string } }>().checks.database ?? '') ? response : undefined;
    });
    expect(notReady.json()).toEqual({ status: 'not ready', checks: { database: expect.stringMatching(reason) } });
    expect(notReady.headers['retry-after']).toBe('5');

    // Past the user and rate-limit caches' 1 s TTL: their reloads fail, the cached rows answer.
    const until = Date.now() + 2_500;
    let served = 0;
    while (Date.now() < until) {
      const [byKey, bySession] = await Promise.all([chat(`Bearer ${key}`), chat(admin.authorization)]);
      expect(byKey.statusCode, byKey.body).toBe(200);
      expect(bySession.statusCode, bySession.body).toBe(200);
      served += 2;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(served).toBeGreaterThan(10);

    // Not known: the gateway cannot tell, so it says so in OpenAI's shape — not 401, not 500.
    const unknown = await chat(`Bearer ${UNKNOWN_KEY}`);
    expect(unknown.statusCode, unknown.body).toBe(503);
    expect(unknown.headers['retry-after']).toBe('5');
    expect(unknown.json()).toEqual({ error: { message: expect.stringContaining('database'), type: 'api_error', code: 'DATABASE_UNAVAILABLE', param: null } });

    // The control API: 503 DATABASE_UNAVAILABLE with Retry-After, for reads, and for sign-in.
    const list = await t.app.inject({ method: 'GET', url: '/api/deployments', headers: admin });
    expect(list.statusCode, list.body).toBe(503);
    expect(list.headers['retry-after']).toBe('5');
    expect(list.json()).toEqual({ error: { code: 'DATABASE_UNAVAILABLE', message: expect.any(String), requestId: expect.any(String) } });
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: TEST_ADMIN_PASSWORD } });
    expect(login.statusCode, login.body).toBe(503);
    expect(login.json<{ error: { code: string } }>().error.code).toBe('DATABASE_UNAVAILABLE');

    await proxy.restore();
    await waitFor('/readyz to pass', async () => ((await ready()).statusCode === 200 ? true : undefined));
    // (Not /api/deployments: its live status would find no workload behind the fake deployment and mark it pending.)
    expect((await t.app.inject({ method: 'GET', url: '/api/api-keys', headers: admin })).statusCode).toBe(200);
    expect((await chat(`Bearer ${UNKNOWN_KEY}`)).statusCode).toBe(401);
    expect((await chat(`Bearer ${key}`)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: TEST_ADMIN_PASSWORD } })).statusCode).toBe(200);
  });
});
