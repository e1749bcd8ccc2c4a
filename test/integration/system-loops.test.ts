import { afterEach, describe, expect, it } from 'vitest';
import type { LoopsView, LoopState } from '../../src/domain/loops.js';
import { composeSecondInstance } from '../support/second-instance.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

type Instance = Pick<TestApp, 'app'>;

/** Every loop an instance owning cluster local runs, and whether it needs the leader. */
const NEEDS_LEADER: Record<string, boolean> = {
  'audit-retention': true,
  'signed-out-sessions-purge': true,
  'login-throttle-prune': false,
  'cluster-health': true,
  'local-cluster-health': false,
  'image-warmer': true,
  'deployment-reconciler': true,
  'deployment-unknown-sweep': true,
  'deployment-failover': true,
  'local-deployment-reconciler': false,
  'api-key-last-used': false,
  'inference-log-retention': true,
  'gateway-routes': false,
  'rollout-monitor': true,
  'event-copy': true,
  'local-event-copy': false,
  'deployment-event-retention': true,
  'gpu-usage': true,
  'gpu-usage-retention': true,
};

const env = { HMAS_RECONCILE_INTERVAL_MS: '500', HMAS_LEADER_ELECTION_INTERVAL_MS: '100' };

describe.each(testBackends())('background loops of an instance (%s)', { timeout: 90_000 }, (backend) => {
  let first: TestApp | undefined;
  let second: Awaited<ReturnType<typeof composeSecondInstance>> | undefined;
  afterEach(async () => {
    await second?.close();
    second = undefined;
    await first?.close();
    first = undefined;
  });

  const view = async (instance: Instance) => {
    const response = await instance.app.inject({ method: 'GET', url: '/api/system/loops', headers: await first!.admin() });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<LoopsView>();
  };
  const loop = (seen: LoopsView, name: string): LoopState => {
    const found = seen.loops.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no loop ${name} in ${seen.loops.map((each) => each.name).join(', ')}`);
    return found;
  };
  const runsOf = async (instance: Instance, name: string) => loop(await view(instance), name).runs;

  it('lists every loop with its declaration and runs, to admins only, and exports them as metrics', async () => {
    first = await createTestApp(backend, env);
    const before = await view(first);
    expect(Object.fromEntries(before.loops.map((each) => [each.name, each.needsLeader]))).toEqual(NEEDS_LEADER);
    expect(before.loops.every((each) => !each.runningHere && each.runs === 0 && each.lastRunAt === null)).toBe(true);
    expect(loop(before, 'deployment-reconciler')).toMatchObject({ intervalMs: 500, touches: expect.stringContaining('deployments') });
    const viewer = await first.userWithRole('viewer');
    const refused = await first.app.inject({ method: 'GET', url: '/api/system/loops', headers: viewer.headers });
    expect(refused.statusCode).toBe(403);

    first.loops.startAll();
    // Alone on its database, the instance leads (PGlite: always; PostgreSQL: it takes the lock).
    const led = await waitFor('this instance to lead', async () => {
      const seen = await view(first!);
      return seen.leader.isLeader ? seen : undefined;
    });
    expect(led.leader).toMatchObject({ election: backend === 'pglite' ? 'embedded' : 'advisory-lock', since: expect.any(String) });
    const ran = await waitFor('two runs of the deployment reconcilers', async () => {
      const seen = await view(first!);
      return loop(seen, 'deployment-reconciler').runs >= 2 && loop(seen, 'local-deployment-reconciler').runs >= 2 ? seen : undefined;
    });
    expect(ran.loops.every((each) => each.runningHere)).toBe(true);
    expect(loop(ran, 'deployment-reconciler')).toMatchObject({ errors: 0, lastError: null, lastRunAt: expect.any(String), lastDurationMs: expect.any(Number) });

    const metrics = (await first.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^hmas_leader 1$/m);
    expect(metrics).toMatch(/^hmas_loop_running\{loop="deployment-reconciler"\} 1$/m);
    expect(metrics).toMatch(/^hmas_loop_errors_total\{loop="gateway-routes"\} 0$/m);
    expect(Number(/^hmas_loop_runs_total\{loop="deployment-reconciler"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(metrics).toMatch(/^hmas_loop_last_run_timestamp_seconds\{loop="deployment-reconciler"\} \d+(\.\d+)?$/m);
    expect(metrics).toMatch(/^hmas_loop_last_duration_seconds\{loop="deployment-reconciler"\} [\d.e-]+$/m);

    await first.loops.stopAll();
    expect((await view(first)).loops.every((each) => !each.runningHere)).toBe(true);
  });

  // Elections need PostgreSQL (PGlite instances always lead): registered on the PostgreSQL run only.
  if (backend === 'postgres') it('two instances on one PostgreSQL: leader-only loops run on the leader only, and move when it stops', async () => {
    first = await createTestApp(backend, env);
    first.loops.startAll();
    await waitFor('the first instance to lead', async () => ((await view(first!)).leader.isLeader ? true : undefined));
    second = await composeSecondInstance(first, env);
    second.loops.startAll();
    // The second follows: its per-instance loops run, its leader-only loops do not.
    await waitFor('the follower to run its own route loop', async () => ((await runsOf(second!, 'gateway-routes')) >= 2 ? true : undefined));
    const leaderRuns = await runsOf(first, 'deployment-reconciler');
    await waitFor('more runs of the leader', async () => ((await runsOf(first!, 'deployment-reconciler')) >= leaderRuns + 2 ? true : undefined));
    const following = await view(second);
    expect(following.leader).toMatchObject({ isLeader: false, election: 'advisory-lock', since: null });
    for (const each of following.loops) expect({ name: each.name, runningHere: each.runningHere, runs: each.needsLeader ? each.runs : 'any' }).toEqual({ name: each.name, runningHere: !each.needsLeader, runs: each.needsLeader ? 0 : 'any' });
    expect((await second.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^hmas_leader 0$/m);

    // The leader stops its loops and lets go: the second takes over and runs them.
    await first.loops.stopAll();
    const took = await waitFor('the second to lead', async () => {
      const seen = await view(second!);
      return seen.leader.isLeader && loop(seen, 'deployment-reconciler').runs >= 2 ? seen : undefined;
    });
    expect(took.loops.filter((each) => each.needsLeader).every((each) => each.runningHere)).toBe(true);
    });
});
