import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/cli-process.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const PASSWORD = 'admin-password-outage';
const DURING = 20;

// The server reaches its PostgreSQL through a proxy the test cuts: a real outage of a real
// database. The buffer holds 5 entries, so most of what is answered during the outage can only
// be in the spool; all of it must be in the table once the database is back, and none dropped.
describe.skipIf(!process.env.TEST_DATABASE_URL)('inference request log during a database outage', { timeout: 180_000 }, () => {
  let dir: string | undefined;
  let server: ServerProcess | undefined;
  let upstream: FakeUpstream | undefined;
  let database: TestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    await server?.exited;
    await proxy?.close();
    await upstream?.close();
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the entries answered while the database is unreachable and writes them when it is back', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-log-outage-'));
    upstream = await startFakeUpstream();
    database = await createTestDatabase('postgres', { migrate: false });
    const target = new URL(database.url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(database.url!);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    server = await startServerProcess({
      HMAS_DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: proxied.toString(),
      HMAS_ADMIN_PASSWORD: PASSWORD,
      HMAS_LOG_LEVEL: 'warn',
      HMAS_INFERENCE_LOG_FLUSH_MS: '200',
      HMAS_INFERENCE_LOG_BUFFER: '5',
      HMAS_INFERENCE_LOG_BATCH: '3',
      HMAS_RATE_LIMIT_RPM: '0',
      HMAS_INFERENCE_LOG_SPOOL: 'true',
      // The deployment is a row routed to the fake upstream, no workload: the reconciler leaves it be.
      HMAS_RECONCILE_INTERVAL_MS: '1000000000',
    });
    await insertServedDeployment(database.handle, 'outage', [upstream.url]);
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    const admin = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}`, 'content-type': 'application/json' };
    const { key } = (await (await fetch(`${server.url}/api/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'outage' }) })).json()) as { key: string };

    const call = async () => {
      const response = await fetch(`${server!.url}/api/inference/outage/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await response.arrayBuffer();
      return response.headers.get('x-request-id')!;
    };
    const stored = async (ids: string[]) =>
      (await database!.handle.transaction((session) => session.query<{ request_id: string }>('SELECT request_id FROM inference_logs WHERE request_id = ANY($1)', [ids]))).map((row) => row.request_id);

    const before = [await call(), await call()];
    await waitFor('the entries from before the outage', async () => ((await stored(before)).length === before.length ? true : undefined));

    proxy.cut('drop');
    const during: string[] = [];
    for (let i = 0; i < DURING; i += 1) during.push(await call());
    await waitFor('a failed insert', async () => (server!.output().includes('could not write inference log entries') ? true : undefined));
    expect(await stored(during)).toEqual([]);

    await proxy.restore();
    const rows = await waitFor('the entries from the outage', async () => {
      const found = await stored(during);
      return found.length >= DURING ? found : undefined;
    });
    expect(rows.sort()).toEqual([...during].sort());
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^hmas_inference_log_drops_total 0$/m);
    expect(metrics).toMatch(/^hmas_inference_log_replayed_total [1-9]/m);
  });
});
