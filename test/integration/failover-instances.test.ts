import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusters, deployments } from '../../src/db/schema/index.js';
import type { ComposedServer } from '../../src/main/compose.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { dropRedisKeys } from '../support/redis-keys.js';
import { composeSecondInstance } from '../support/second-instance.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

// Two H-MAS instances on one database and one Redis: a failover move made by the leader (the
// first instance) reaches the second instance's gateway through Redis at once — the same news a
// pause or delete sends — not at its next route reload. Routing does not depend on the database
// backend, so this file runs on PGlite only.

const REDIS_URL = process.env.TEST_REDIS_URL;
if (process.env.CI && !REDIS_URL) throw new Error('CI is set but TEST_REDIS_URL is not: the two-instance failover suite would be skipped silently.');

describe.skipIf(!REDIS_URL)(`failover announced to another instance through Redis${REDIS_URL ? '' : ' — skipped: TEST_REDIS_URL is not set'}`, { timeout: 60_000 }, () => {
  const prefix = `hmas-test:${process.pid}:${randomUUID().slice(0, 8)}:`;
  let first: TestApp;
  let second: ComposedServer;
  let deployment: { id: string; remove(): Promise<void> };
  const lostCluster = randomUUID();

  beforeAll(async () => {
    // No reconcile pass: the deployment row stands for a workload on a cluster that does not exist.
    const env = { REDIS_URL: REDIS_URL!, HMAS_REDIS_KEY_PREFIX: prefix, HMAS_RECONCILE_INTERVAL_MS: '3600000', HMAS_FAILOVER_INTERVAL_MS: '500' };
    first = await createTestApp('pglite', env);
    second = await composeSecondInstance(first, env);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    if (REDIS_URL) await dropRedisKeys(REDIS_URL, prefix);
  });

  const remoteReloads = async () => {
    const metrics = (await second.app.inject({ method: 'GET', url: '/metrics' })).body;
    const match = /^hmas_inference_route_reloads_total\{trigger="remote"\} (\d+)$/m.exec(metrics);
    return match ? Number(match[1]) : 0;
  };

  it('tells the other instance at once when the leader moves a deployment off a lost cluster', async () => {
    const headers = await first.admin();
    const db = first.database.handle.db;
    // A cluster that stopped answering, and a deployment on it whose strategy allows cluster local too.
    await db.insert(clusters).values({ id: lostCluster, name: 'fo-lost', displayName: 'fo-lost', type: 'GP', scheduler: 'default', connectionKind: 'kubeconfig', readinessState: 'notReady' });
    const policy = await first.app.inject({ method: 'POST', url: '/api/failover-policies', headers, payload: { name: 'fo-announce', action: 're-place', gracePeriodSeconds: 0 } });
    expect(policy.statusCode, policy.body).toBe(201);
    const strategy = await first.app.inject({ method: 'POST', url: '/api/placement-strategies', headers, payload: { name: 'fo-announce', clusterNames: ['local', 'fo-lost'], failoverPolicyId: policy.json<{ id: string }>().id } });
    expect(strategy.statusCode, strategy.body).toBe(201);
    deployment = await insertServedDeployment(first.database.handle, 'fo-announced', ['http://127.0.0.1:9/v1'], { runtime: 'llamacpp' });
    await db.update(deployments).set({ clusterId: lostCluster, status: 'unknown', placementStrategyId: strategy.json<{ id: string }>().id }).where(eq(deployments.id, deployment.id));
    const before = await remoteReloads();

    // Only the first instance's loops run (it leads alone on PGlite): the second hears of the move from Redis only.
    first.loops.startAll();
    const moved = await waitFor('the move to cluster local', async () => {
      const body = (await first.app.inject({ method: 'GET', url: `/api/deployments/${deployment.id}`, headers })).json<{ cluster: string }>();
      return body.cluster === 'local' ? body : undefined;
    }, { timeoutMs: 20_000, describe: async () => (await first.app.inject({ method: 'GET', url: `/api/deployments/${deployment.id}/failovers`, headers })).json() });
    expect(moved.cluster).toBe('local');
    await waitFor('the second instance to reload its routes on the news', async () => ((await remoteReloads()) > before ? true : undefined), { timeoutMs: 20_000 });
  });
});
