import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoopsView } from '../../src/domain/loops.js';
import { runCli, startServerProcess, type ServerProcess } from '../support/cli-process.js';
import { waitFor } from '../support/wait-for.js';

// `hmas system loops` against a real server process (embedded database: it is the leader).
describe('hmas system loops against a running server', { timeout: 120_000 }, () => {
  let dir: string;
  let server: ServerProcess;
  let env: Record<string, string>;
  const cli = (args: string[], as = env) => runCli(args, { env: as, timeoutMs: 60_000 });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-cli-system-'));
    server = await startServerProcess({
      HMAS_DATA_DIR: path.join(dir, 'data'),
      HMAS_ADMIN_PASSWORD: 'admin-password-system',
      HMAS_LOG_LEVEL: 'warn',
      HMAS_RECONCILE_INTERVAL_MS: '1000',
    });
    env = { HMAS_SERVER: server.url, HMAS_CREDENTIALS_FILE: path.join(dir, 'credentials.json') };
    expect((await runCli(['login', '--password-stdin'], { env, input: 'admin-password-system\n' })).code).toBe(0);
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the whole view as JSON: the leader and every loop with its runs', async () => {
    const view = await waitFor('the gateway-routes loop to have run', async () => {
      const result = await cli(['-o', 'json', 'system', 'loops']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const parsed = JSON.parse(result.stdout) as LoopsView;
      return (parsed.loops.find((loop) => loop.name === 'gateway-routes')?.runs ?? 0) > 0 ? parsed : undefined;
    });
    expect(view.leader).toMatchObject({ isLeader: true, election: 'embedded' });
    expect(view.loops.find((loop) => loop.name === 'gateway-routes')).toMatchObject({ needsLeader: false, runningHere: true, errors: 0, lastError: null });
    expect(view.loops.find((loop) => loop.name === 'deployment-reconciler')).toMatchObject({ needsLeader: true, runningHere: true });
  });

  it('prints a table under a line saying whether the instance leads', async () => {
    const result = await cli(['system', 'loops']);
    expect(result.code, result.stderr).toBe(0);
    const [leader, header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(leader).toMatch(/^Leader: yes \(embedded database: always the leader, since \d{4}-\d\d-\d\dT[\d:.]+Z\)$/);
    expect(header).toMatch(/^NAME\s+TOUCHES\s+LEADER ONLY\s+RUNNING HERE\s+LAST RUN\s+LAST DURATION\s+RUNS\s+ERRORS\s+LAST ERROR$/);
    expect(rows.find((row) => row.startsWith('gateway-routes '))).toMatch(/\(memory\)\s+no\s+yes\s+\d{4}-\d\d-\d\dT\S+\s+\d+ ms\s+\d+\s+0\s+-$/);
  });

  it('refuses a viewer (admins only) with the server’s message', async () => {
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-password-system' }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const created = await fetch(`${server.url}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'watcher', role: 'viewer', password: 'watcher-password' }),
    });
    expect(created.status).toBe(201);
    const viewerEnv = { HMAS_SERVER: server.url, HMAS_CREDENTIALS_FILE: path.join(dir, 'viewer-credentials.json') };
    expect((await runCli(['login', '--username', 'watcher', '--password-stdin'], { env: viewerEnv, input: 'watcher-password\n' })).code).toBe(0);
    const refused = await cli(['system', 'loops'], viewerEnv);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/403|admin/i);
  });
});
