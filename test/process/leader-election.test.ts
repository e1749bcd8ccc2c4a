import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoopsView } from '../../src/domain/loops.js';
import { startServerProcess, type ServerProcess } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase, withoutPostgres } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const PASSWORD = 'admin-password-leader';

// Two real server processes on one real PostgreSQL, each with its own data directory: one leads
// (it holds the advisory lock on its own connection) and runs the leader-only loops; killing it
// with SIGKILL (no shutdown, the kernel closes its connection) hands leadership to the other.
describe.skipIf(withoutPostgres('leader election between two server processes'))('leader election between two server processes', { timeout: 180_000 }, () => {
  let dir: string | undefined;
  let database: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
    }
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('elects one leader, runs leader-only loops there only, and the other takes over when the leader is killed', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-leader-'));
    database = await createTestDatabase('postgres', { migrate: false });
    const start = async (name: string) => {
      const server = await startServerProcess({
        HMAS_DATA_DIR: path.join(dir!, name),
        DATABASE_URL: database!.url!,
        HMAS_ADMIN_PASSWORD: PASSWORD,
        HMAS_JWT_SECRET: 'leader-election-test-secret-0123456789abcdef',
        HMAS_LOG_LEVEL: 'info',
        HMAS_LOCAL_CLUSTER: 'false',
        HMAS_LEADER_ELECTION_INTERVAL_MS: '200',
        HMAS_RECONCILE_INTERVAL_MS: '500',
      });
      servers.push(server);
      return server;
    };
    // One after the other: the first applies the migrations.
    const a = await start('a');
    const b = await start('b');
    const login = await fetch(`${a.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    const headers = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
    const view = async (server: ServerProcess) => {
      const response = await fetch(`${server.url}/api/system/loops`, { headers });
      if (response.status !== 200) throw new Error(`${server.url}: ${response.status} ${await response.text()}`);
      return (await response.json()) as LoopsView;
    };
    const runs = (seen: LoopsView, name: string) => seen.loops.find((loop) => loop.name === name)!;
    const views = () => Promise.all([view(a), view(b)]);

    const [leader, follower] = await waitFor('a leader', async () => {
      const [seenA, seenB] = await views();
      if (seenA.leader.isLeader === seenB.leader.isLeader) return undefined;
      return seenA.leader.isLeader ? [a, b] : [b, a];
    }, { describe: views });

    // A leader-only loop runs on the leader only; a per-instance loop on both.
    await waitFor('three reconciler runs on the leader', async () => (runs(await view(leader), 'deployment-reconciler').runs >= 3 ? true : undefined));
    const [onLeader, onFollower] = await Promise.all([view(leader), view(follower)]);
    expect(onLeader.leader.isLeader).toBe(true);
    expect(onFollower.leader).toMatchObject({ isLeader: false, election: 'advisory-lock' });
    expect(runs(onFollower, 'deployment-reconciler')).toMatchObject({ runningHere: false, runs: 0 });
    expect(runs(onLeader, 'deployment-reconciler')).toMatchObject({ runningHere: true, needsLeader: true });
    expect(runs(onFollower, 'gateway-routes')).toMatchObject({ runningHere: true, needsLeader: false });
    expect(runs(onFollower, 'gateway-routes').runs).toBeGreaterThan(0);
    expect(leader.output()).toContain('this instance is now the leader');
    expect(follower.output()).not.toContain('this instance is now the leader');

    leader.child.kill('SIGKILL');
    await leader.exited;
    const took = await waitFor('the follower to take over and run the leader-only loops', async () => {
      const seen = await view(follower);
      return seen.leader.isLeader && runs(seen, 'deployment-reconciler').runs >= 2 ? seen : undefined;
    }, { describe: () => view(follower) });
    expect(took.loops.filter((loop) => loop.needsLeader).every((loop) => loop.runningHere)).toBe(true);
    expect(follower.output()).toContain('this instance is now the leader');
  });
});
