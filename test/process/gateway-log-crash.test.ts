import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { inferenceLogSpoolDir } from '../../src/gateway/request-log/inference-log-setup.js';
import { startServerProcess, type ServerProcess } from '../support/cli-process.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const PASSWORD = 'admin-password-crash';
const REQUESTS = 30;

/** Lines in the spool's segments (what a kill -9 leaves for the next start). */
async function spooledLines(dataDir: string): Promise<number> {
  const dir = inferenceLogSpoolDir(dataDir);
  const files = (await readdir(dir).catch(() => [] as string[])).filter((file) => file.endsWith('.jsonl'));
  let lines = 0;
  for (const file of files) lines += (await readFile(path.join(dir, file), 'utf8')).split('\n').filter(Boolean).length;
  return lines;
}

async function signIn(url: string): Promise<Record<string, string>> {
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
  const { accessToken } = (await login.json()) as { accessToken: string };
  return { authorization: `Bearer ${accessToken}` };
}

// A kill -9 gives the writer no drain: what it buffered survives only in the spool, which the next
// start writes. The flush interval is far beyond the test, and a batch of 7 makes most entries
// reach the database before the kill while they are still in the spool, so the replay meets
// entries that are already stored and must not store them twice.
describe.each(testBackends())('inference request log after kill -9 (%s)', { timeout: 300_000 }, (backend) => {
  let dir: string | undefined;
  let server: ServerProcess | undefined;
  let upstream: FakeUpstream | undefined;
  let database: TestDatabase | undefined;
  afterEach(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    await server?.exited;
    await upstream?.close();
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has every request answered before SIGKILL in the log exactly once after a restart on the same data directory', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-log-crash-'));
    const dataDir = path.join(dir, 'data');
    upstream = await startFakeUpstream();
    database = backend === 'postgres' ? await createTestDatabase('postgres', { migrate: false }) : undefined;
    const env = {
      HMAS_DATA_DIR: dataDir,
      HMAS_ADMIN_PASSWORD: PASSWORD,
      HMAS_LOG_LEVEL: 'warn',
      HMAS_INFERENCE_LOG_FLUSH_MS: '600000',
      HMAS_INFERENCE_LOG_BATCH: '7',
      HMAS_RATE_LIMIT_RPM: '0',
      HMAS_INFERENCE_LOG_SPOOL: 'true',
      // The deployment is a row routed to the fake upstream, no workload: the reconciler leaves it be.
      HMAS_RECONCILE_INTERVAL_MS: '1000000000',
      ...(database?.url ? { DATABASE_URL: database.url } : {}),
    };

    // The first start registers cluster `local`; the deployment routes to the fake upstream.
    server = await startServerProcess(env);
    if (database) {
      // Written behind the server's back: wait for two route reloads of its loop, so one started after the row.
      const reloads = async () => {
        const text = await (await fetch(`${server!.url}/metrics`)).text();
        return Number(/^hmas_inference_route_reloads_total\{trigger="loop"\} (\d+)/m.exec(text)?.[1] ?? 0);
      };
      const before = await reloads();
      await insertServedDeployment(database.handle, 'crash', [upstream.url]);
      await waitFor('two route reloads after the deployment was written', async () => ((await reloads()) >= before + 2 ? true : undefined), { timeoutMs: 30_000 });
    } else {
      // The embedded database serves one process: stop the server to add the deployment. (A
      // request first: the CLI prints its URL just before it installs its signal handlers.)
      await signIn(server.url);
      server.child.kill('SIGTERM');
      const stopped = server;
      expect(await stopped.exited, stopped.output()).toBe(0);
      const embedded = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'db') });
      await insertServedDeployment(embedded, 'crash', [upstream.url]).finally(() => embedded.close());
      server = await startServerProcess(env);
    }

    const headers = { ...(await signIn(server.url)), 'content-type': 'application/json' };
    const answered: string[] = [];
    for (let i = 0; i < REQUESTS; i += 1) {
      const response = await fetch(`${server.url}/api/inference/crash/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: `hello ${i}` }] }) });
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      answered.push(response.headers.get('x-request-id')!);
    }
    // Each entry is spooled at the end of the event-loop tick that answered it.
    await waitFor('every entry in the spool', async () => ((await spooledLines(dataDir)) >= REQUESTS ? true : undefined));

    server.child.kill('SIGKILL');
    await server.exited;
    server = await startServerProcess(env);
    // The start writes what the spool held and deletes the segments it wrote.
    await waitFor('an empty spool', async () => ((await spooledLines(dataDir)) === 0 ? true : undefined), { timeoutMs: 60_000 });

    const admin = await signIn(server.url);
    const page = (await (await fetch(`${server.url}/api/inference-logs?deployment=crash&limit=100`, { headers: admin })).json()) as { total: number; items: Array<{ requestId: string; statusCode: number }> };
    expect(page.total).toBe(REQUESTS);
    expect(page.items.map((item) => item.requestId).sort()).toEqual([...answered].sort());
    expect(page.items.every((item) => item.statusCode === 200)).toBe(true);
  });
});
