// Failover records on both backends: the database guard (one move in flight per deployment, one
// claim wins), the deployment-failover loop on a lost cluster with no other cluster to move to
// (a failed move backs off; a keep policy records nothing), and the failovers endpoint.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusters, deployments } from '../../src/db/schema/index.js';
import { createDeploymentRepo } from '../../src/services/deployments/deployment-repo.js';
import { createFailoverRepo } from '../../src/services/deployments/failover-repo.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

interface FailoverBody {
  fromCluster: string | null;
  toCluster: string | null;
  state: string;
  attempts: number;
  lastError: string | null;
  detectedAt: string;
  nextAttemptAt: string | null;
}

describe.each(testBackends())('deployment failovers (%s)', (backend) => {
  let database: TestDatabase;
  let t: TestApp;
  let headers: { authorization: string };
  let localId: string;

  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown, as = headers) =>
    t.app.inject({ method, url, headers: as, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const failovers = async (id: string) => (await call('GET', `/api/deployments/${id}/failovers`)).json<{ items: FailoverBody[]; total: number }>();
  /** A deployment row on cluster local placed by a strategy whose failover policy is `action`. */
  async function placedDeployment(name: string, action: 'keep' | 're-place'): Promise<string> {
    const policy = await call('POST', '/api/failover-policies', { name: `${name}-policy`, action, gracePeriodSeconds: 0 });
    expect(policy.statusCode, policy.body).toBe(201);
    const strategy = await call('POST', '/api/placement-strategies', { name: `${name}-strategy`, clusterNames: ['local'], failoverPolicyId: policy.json<{ id: string }>().id });
    expect(strategy.statusCode, strategy.body).toBe(201);
    const { id } = await insertServedDeployment(database.handle, name, ['http://127.0.0.1:9/v1']);
    await database.handle.db.update(deployments).set({ placementStrategyId: strategy.json<{ id: string }>().id }).where(eq(deployments.id, id));
    return id;
  }

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    // No reconcile pass during the test: the rows stand for workloads that do not exist.
    t = await createTestApp(backend, { HMAS_RECONCILE_INTERVAL_MS: '3600000', HMAS_FAILOVER_INTERVAL_MS: '500' }, { database });
    headers = await t.admin();
    const [local] = await database.handle.db.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, 'local'));
    localId = local!.id;
  });

  afterAll(async () => {
    await t?.loops.stopAll();
    await database?.handle.db.delete(deployments);
    // Also drops the database.
    await t?.close();
  });

  it('refuses a second move in flight and lets one claim win', async () => {
    const repo = createFailoverRepo(database.handle.db);
    const deploymentId = randomUUID();
    const row = { deploymentId, deploymentName: 'guarded', fromClusterId: localId, reason: 'lost', detectedAt: new Date() };
    expect((await Promise.all([repo.openPending(row), repo.openPending(row), repo.openPending(row)])).filter(Boolean)).toHaveLength(1);
    const [pending] = (await repo.open()).filter((open) => open.deploymentId === deploymentId);
    const now = new Date();
    const claims = await Promise.all([repo.claim(pending!.id, now, 'instance-a@t1'), repo.claim(pending!.id, now, 'instance-b@t1')]);
    expect(claims.filter((claim) => claim !== null)).toHaveLength(1);
    const holder = claims.find((claim) => claim !== null)!.claimedBy!;
    // Still in flight while moving: no new pending record, and no plain claim takes it.
    expect(await repo.openPending(row)).toBe(false);
    expect(await repo.claim(pending!.id, now, 'instance-c@t2')).toBeNull();
    // Retaken from its holder (a compare-and-swap on claimed_by): one of two retakes wins, and the
    // old holder's late writes are refused.
    const retakes = await Promise.all([repo.claim(pending!.id, now, 'instance-c@t2', holder), repo.claim(pending!.id, now, 'instance-d@t2', holder)]);
    expect(retakes.filter((claim) => claim !== null)).toHaveLength(1);
    const newHolder = retakes.find((claim) => claim !== null)!.claimedBy!;
    expect(await repo.recordTarget(pending!.id, holder, localId, now)).toBe(false);
    expect(await repo.completeMove({ id: pending!.id, holder, deploymentId, fromClusterId: localId, toClusterId: localId, reason: 'x', now }, { status: 'deploying' })).toBe('lost');
    expect(await repo.recordTarget(pending!.id, newHolder, localId, now)).toBe(true);
    expect((await repo.get(pending!.id))?.targetClusterId).toBe(localId);
    // A move whose deployment is not on the lost cluster (here: no such deployment) changes nothing and is cancelled.
    expect(await repo.completeMove({ id: pending!.id, holder: newHolder, deploymentId, fromClusterId: localId, toClusterId: localId, reason: 'x', now }, { status: 'deploying' })).toBe('cancelled');
    expect((await repo.open()).filter((open) => open.deploymentId === deploymentId)).toEqual([]);
    expect(await repo.openPending(row)).toBe(true);
  });

  it('keeps what was observed on a cluster off a row a failover moved elsewhere', async () => {
    const repo = createDeploymentRepo(database.handle.db);
    const served = await insertServedDeployment(database.handle, 'fo-observed', ['http://127.0.0.1:9/v1']);
    await repo.update(served.id, { status: 'unknown', endpoints: [] }, { onCluster: randomUUID() });
    expect(await repo.find(served.id)).toMatchObject({ status: 'running', endpoints: ['http://127.0.0.1:9/v1'] });
    await repo.update(served.id, { status: 'unknown' }, { onCluster: localId });
    expect(await repo.find(served.id)).toMatchObject({ status: 'unknown' });
    await served.remove();
  });

  it('backs off after a move that finds no other cluster, and leaves a keep deployment alone', async () => {
    const moving = await placedDeployment('fo-re-place', 're-place');
    const kept = await placedDeployment('fo-keep', 'keep');
    await database.handle.db.update(clusters).set({ readinessState: 'notReady', readinessMessage: 'cut off by the test' }).where(eq(clusters.id, localId));
    t.loops.startAll();

    const failed = await waitFor('a failed move', async () => {
      const item = (await failovers(moving)).items[0];
      return item?.attempts === 1 && item.state === 'pending' ? item : undefined;
    }, { describe: () => failovers(moving) });
    expect(failed).toMatchObject({ fromCluster: 'local', toCluster: null });
    expect(failed.lastError).toMatch(/No ready cluster matches placement strategy "fo-re-place-strategy"/);
    // The first back-off is 30 s from the failed attempt.
    expect(Date.parse(failed.nextAttemptAt!) - Date.parse(failed.detectedAt)).toBeGreaterThanOrEqual(30_000);
    const deployment = (await call('GET', `/api/deployments/${moving}`)).json<{ cluster: string; statusMessage: string }>();
    expect(deployment.cluster).toBe('local');
    const audit = (await call('GET', '/api/audit-logs?action=deployment.failover&actor=system')).json<{ items: Array<{ resourceId: string; outcome: string }> }>();
    expect(audit.items).toEqual([expect.objectContaining({ resourceId: moving, outcome: 'failure' })]);

    // Several more passes: still one attempt (backing off), and nothing for the keep deployment.
    const runsNow = await loopRuns();
    await waitFor('three more failover passes', async () => ((await loopRuns()) >= runsNow + 3 ? true : undefined));
    expect((await failovers(moving)).items).toEqual([expect.objectContaining({ attempts: 1, state: 'pending' })]);
    expect(await failovers(kept)).toMatchObject({ items: [], total: 0 });

    // The cluster answers again: the pending move is cancelled.
    await database.handle.db.update(clusters).set({ readinessState: 'ready' }).where(eq(clusters.id, localId));
    await waitFor('the pending move cancelled', async () => ((await failovers(moving)).items[0]?.state === 'cancelled' ? true : undefined), { describe: () => failovers(moving) });
  });

  it('removes the old copy as soon as a check finds its cluster ready again, not at the next failover pass', async () => {
    // No failover pass from here on: only the readiness change can do it.
    await t.loops.stopAll();
    const elsewhere = randomUUID();
    await database.handle.db.insert(clusters).values({ id: elsewhere, name: 'fo-elsewhere', displayName: 'fo-elsewhere', type: 'GP', scheduler: 'default', connectionKind: 'kubeconfig', readinessState: 'notReady' });
    const served = await insertServedDeployment(database.handle, 'fo-returned', ['http://127.0.0.1:9/v1']);
    await database.handle.db.update(deployments).set({ clusterId: elsewhere }).where(eq(deployments.id, served.id));
    const repo = createFailoverRepo(database.handle.db);
    await repo.recordLeftover({ deploymentId: served.id, deploymentName: 'fo-returned', clusterId: localId, reason: 'moved off local by the test', now: new Date() });
    await database.handle.db.update(clusters).set({ readinessState: 'notReady', readinessMessage: 'cut off by the test' }).where(eq(clusters.id, localId));

    const tested = await call('POST', '/api/clusters/local/test');
    expect(tested.statusCode, tested.body).toBe(200);
    expect(tested.json()).toMatchObject({ readiness: { state: 'ready' } });
    // Done by the time the check answers: the copy there (none: the row stood for it) is gone.
    const [record] = (await failovers(served.id)).items;
    expect(record).toMatchObject({ fromCluster: 'local', state: 'completed' });
    const audit = (await call('GET', '/api/audit-logs?action=deployment.failover.cleanup&actor=system')).json<{ items: Array<{ resourceId: string; summary: string }> }>();
    expect(audit.items).toEqual([expect.objectContaining({ resourceId: served.id, summary: expect.stringMatching(/^local answers again: found no old copy of fo-returned there/) })]);
    await served.remove();
    await database.handle.db.delete(clusters).where(eq(clusters.id, elsewhere));
  });

  async function loopRuns(): Promise<number> {
    const loops = (await call('GET', '/api/system/loops')).json<{ loops: Array<{ name: string; runs: number }> }>().loops;
    return loops.find((loop) => loop.name === 'deployment-failover')?.runs ?? 0;
  }

  it('answers 404 for an unknown deployment and 400 for bad input; viewers may read', async () => {
    const unknown = await call('GET', `/api/deployments/${randomUUID()}/failovers`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'DEPLOYMENT_NOT_FOUND' } });
    expect((await call('GET', '/api/deployments/not-a-uuid/failovers')).statusCode).toBe(400);
    const badLimit = await call('GET', `/api/deployments/${randomUUID()}/failovers?limit=0`);
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json()).toHaveProperty('error.code');
    const { id } = await insertServedDeployment(database.handle, 'fo-viewed', ['http://127.0.0.1:9/v1']);
    const { headers: viewer } = await t.userWithRole('viewer');
    const page = await call('GET', `/api/deployments/${id}/failovers?limit=10&offset=0`, undefined, viewer);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json()).toEqual({ items: [], total: 0, limit: 10, offset: 0 });
  });
});
