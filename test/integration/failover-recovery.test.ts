// Failover moves that an instance leaves half done, on both backends: the failover service on the
// real database (deployments, failover records, policies, clusters, audit), with three clusters
// kept in memory (test/support/memory-cluster.ts) standing for what each driver would run. Each
// "instance" is a failover service of its own leadership term, as after a leader change:
//   - the move is retaken by the next leader at once (not after a stale window), which adopts
//     the copy applied on the recorded target and switches to it; the old holder's late write is
//     refused; one copy runs, on the target;
//   - a target that went away meanwhile is cleared first (or its copy recorded for removal when
//     it answers again) and another cluster picked;
//   - an abandoned move no longer needed (the cluster came back, the deployment was deleted) takes
//     its copy on the target away;
//   - the old copy is scaled to 0, then removed, when its cluster answers again — and the route
//     table never names it, from before the move until it is gone.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterRegistry } from '../../src/clusters/cluster-registry.js';
import { clusters as clusterTable, deployments, models as modelTable } from '../../src/db/schema/index.js';
import type { Cluster } from '../../src/domain/cluster.js';
import type { WorkloadSpec } from '../../src/domain/workload.js';
import { createRouteSource } from '../../src/gateway/proxy/route-source.js';
import { createLogger } from '../../src/lib/logger.js';
import { createSecretBox } from '../../src/lib/secret-box.js';
import { createAuditRepo } from '../../src/services/audit/audit-repo.js';
import { createAuditService } from '../../src/services/audit/audit-service.js';
import { createClusterRepo } from '../../src/services/clusters/cluster-repo.js';
import { createClusterService } from '../../src/services/clusters/cluster-service.js';
import { createDeploymentFailover } from '../../src/services/deployments/deployment-failover.js';
import { createDeploymentRepo } from '../../src/services/deployments/deployment-repo.js';
import { createFailoverRepo } from '../../src/services/deployments/failover-repo.js';
import { createHfClient } from '../../src/services/models/hf-client.js';
import { createModelRepo } from '../../src/services/models/model-repo.js';
import { createModelService } from '../../src/services/models/model-service.js';
import { createOptimizationPresetRepo } from '../../src/services/optimization-presets/optimization-preset-repo.js';
import { createOptimizationPresetService } from '../../src/services/optimization-presets/optimization-preset-service.js';
import { createPolicyRepo } from '../../src/services/policies/policy-repo.js';
import { createPolicyService } from '../../src/services/policies/policy-service.js';
import { createMemoryCluster, type MemoryCluster } from '../support/memory-cluster.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';

const NAMES = ['fo-a', 'fo-b', 'fo-c'] as const;
type Name = (typeof NAMES)[number];

describe.each(testBackends())('failover moves left half done (%s)', (backend) => {
  let database: TestDatabase;
  const memory = Object.fromEntries(NAMES.map((name, index) => [name, createMemoryCluster(name, index + 1)])) as Record<Name, MemoryCluster>;
  const ids = {} as Record<Name, string>;
  let strategyId: string;
  let modelId: string;
  const announced: string[] = [];

  const db = () => database.handle.db;
  const repo = () => createDeploymentRepo(db());
  const failovers = () => createFailoverRepo(db());
  const setReady = async (name: Name, ready: boolean) =>
    db().update(clusterTable).set({ readinessState: ready ? 'ready' : 'notReady' }).where(eq(clusterTable.id, ids[name]));

  /** A failover service as one instance runs it while it leads since `term`. */
  function instance(term: string) {
    const handle = database.handle;
    const clusters = createClusterService({ repo: createClusterRepo(handle.db), connectors: createClusterRegistry({ nvidiaSmiCommand: 'nvidia-smi' }), secretBox: createSecretBox('failover-recovery-test-secret-0123456789') });
    const byName = (cluster: Cluster) => memory[cluster.name as Name]?.driver ?? null;
    return createDeploymentFailover({
      repo: repo(),
      models: createModelService({ repo: createModelRepo(handle.db), hf: createHfClient({ endpoint: 'http://127.0.0.1:9' }) }),
      clusters,
      policies: createPolicyService({ repo: createPolicyRepo(handle.db) }),
      presets: createOptimizationPresetService({ repo: createOptimizationPresetRepo(handle.db) }),
      drivers: {
        actingDriver: async (cluster) => byName(cluster),
        forCluster: async (cluster) => byName(cluster)!,
        runsOnHost: () => false,
        capacity: async (cluster) => ({ freePerNode: [8], clusterName: cluster.name }),
      },
      failovers: failovers(),
      audit: createAuditService({ repo: createAuditRepo(handle.db) }),
      logger: createLogger({ level: 'silent', pretty: false }),
      leadership: { leaderSince: () => new Date(term) },
      announce: async (id) => void announced.push(id),
    });
  }

  /** A running deployment on fo-a, placed by the re-place strategy; its copy runs on fo-a. */
  async function deploymentOnA(name: string): Promise<string> {
    const id = randomUUID();
    await db().insert(deployments).values({ id, name, modelId, clusterId: ids['fo-a'], runtime: 'vllm', replicas: 1, status: 'running', readyReplicas: 1, endpoints: [], placementStrategyId: strategyId });
    memory['fo-a'].workloads.set(name, { spec: { name, deploymentId: id, specHash: 'on-a', replicas: 1 } as WorkloadSpec, replicas: 1, url: 'http://127.0.0.1:8000/v1' });
    return id;
  }
  /**
   * A deployment on fo-a, fo-a lost, and a move of it by the instance leading since `term` that
   * applied the workload on fo-b and stalls there (the instance died, or lost leadership, before
   * recording it): `held.release()` lets the stalled apply return, `stalled` is that pass.
   */
  async function stalledMove(name: string, term: string) {
    for (const cluster of Object.values(memory)) cluster.calls.length = 0;
    const id = await deploymentOnA(name);
    await setReady('fo-a', false);
    const first = instance(term);
    await first.run(); // the grace period (0 s) starts
    const held = memory['fo-b'].holdNextApply();
    const stalled = first.run();
    await held.landed;
    return { id, held, stalled };
  }
  const clusterOf = async (id: string) => (await repo().find(id))?.clusterName;
  const records = async (id: string) => (await failovers().open()).filter((row) => row.deploymentId === id);
  const allRecords = async (id: string) => (await failovers().page(id, 50, 0)).rows;
  /** What the gateway would route the deployment to: drivers asked in an order where an old copy (fo-a) would win. */
  const routes = createRouteSource({
    deployments: { all: () => repo().all() },
    live: () => (['fo-c', 'fo-b', 'fo-a'] as const).map((name) => ({ clusterId: ids[name], driver: memory[name].driver })),
  });
  const routedTo = async (name: string) => (await routes()).find((row) => row.name === name)?.endpoints;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    for (const name of NAMES) {
      ids[name] = randomUUID();
      await db().insert(clusterTable).values({ id: ids[name], name, displayName: name, type: 'GP', scheduler: 'default', connectionKind: 'kubeconfig', readinessState: 'ready' });
    }
    const policies = createPolicyService({ repo: createPolicyRepo(db()) });
    const policy = await policies.create('failover_policy', { name: 'fo-move', description: '', action: 're-place', gracePeriodSeconds: 0 });
    const strategy = await policies.create('placement_strategy', { name: 'fo-spread', description: '', clusterNames: [...NAMES], failoverPolicyId: policy.id });
    strategyId = strategy.id;
    modelId = randomUUID();
    await db().insert(modelTable).values({ id: modelId, name: 'fo-model', format: 'gguf', source: 'local', localPath: '/nonexistent/fo.gguf', category: 'LLM' });
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('retakes a move its leader left after applying on the target, adopts that copy, and refuses the old holder', async () => {
    const { id, held, stalled } = await stalledMove('fo-x', '2026-01-01T00:00:00Z');
    // Not moved yet: routed to fo-a's copy, not to the one applied on fo-b.
    expect(await routedTo('fo-x')).toEqual(['http://127.0.0.1:8000/v1']);
    // The target was on the record before anything was applied there.
    expect(await records(id)).toEqual([expect.objectContaining({ state: 'moving', targetClusterId: ids['fo-b'], attempts: 1 })]);
    expect(await clusterOf(id)).toBe('fo-a');

    // The first instance stopped leading; the next leader retakes the move at once.
    const second = instance('2026-01-01T00:05:00Z');
    await second.run();
    expect(await clusterOf(id)).toBe('fo-b');
    expect(await allRecords(id)).toEqual([expect.objectContaining({ state: 'moved', toClusterId: ids['fo-b'], attempts: 2 })]);
    expect(memory['fo-c'].calls).toEqual([]);
    expect(announced).toContain(id);

    // The old holder's late completion changes nothing, and leaves the adopted copy alone.
    held.release();
    await stalled;
    expect(await clusterOf(id)).toBe('fo-b');
    expect(memory['fo-b'].calls).toEqual(['apply fo-x', 'apply fo-x']);
    expect([...memory['fo-b'].workloads.keys()]).toEqual(['fo-x']);
    expect(await routedTo('fo-x')).toEqual(['http://127.0.0.2:8000/v1']);

    // fo-a answers again: its old copy is scaled to 0, then removed; the route never names it.
    await setReady('fo-a', true);
    const seen: Array<readonly string[] | undefined> = [await routedTo('fo-x')];
    memory['fo-a'].state.observe = async () => void seen.push(await routedTo('fo-x'));
    await second.cleanupReturned(ids['fo-a']);
    memory['fo-a'].state.observe = undefined;
    seen.push(await routedTo('fo-x'));
    expect(memory['fo-a'].calls).toEqual(['scale fo-x 0', 'remove fo-x']);
    expect(memory['fo-a'].workloads.has('fo-x')).toBe(false);
    expect(seen).toEqual(Array(4).fill(['http://127.0.0.2:8000/v1']));
    expect(await allRecords(id)).toEqual([expect.objectContaining({ state: 'completed' })]);
    await db().delete(deployments).where(eq(deployments.id, id));
    memory['fo-b'].workloads.delete('fo-x');
  });

  it('clears what a half-done move applied on a target that went away, then moves elsewhere', async () => {
    const { id, held, stalled } = await stalledMove('fo-y', '2026-01-02T00:00:00Z');
    // The target is lost as well, and cannot even be reached to remove the copy.
    await setReady('fo-b', false);
    memory['fo-b'].state.unreachable = true;

    const second = instance('2026-01-02T00:05:00Z');
    await second.run();
    expect(await clusterOf(id)).toBe('fo-c');
    expect(memory['fo-c'].calls).toEqual(['apply fo-y']);
    // The copy on fo-b waits for fo-b, recorded as a copy to remove when it answers again.
    const leftover = (await allRecords(id)).find((row) => row.fromClusterId === ids['fo-b']);
    expect(leftover).toMatchObject({ state: 'moved', toClusterId: null });
    expect(memory['fo-b'].workloads.has('fo-y')).toBe(true);
    expect(await routedTo('fo-y')).toEqual(['http://127.0.0.3:8000/v1']);

    memory['fo-b'].state.unreachable = false;
    await setReady('fo-b', true);
    await second.cleanupReturned(ids['fo-b']);
    expect(memory['fo-b'].workloads.has('fo-y')).toBe(false);
    expect(memory['fo-b'].calls.slice(-2)).toEqual(['scale fo-y 0', 'remove fo-y']);
    expect((await allRecords(id)).find((row) => row.id === leftover!.id)).toMatchObject({ state: 'completed' });
    // The stalled holder wakes up: its move was taken over, so it changes nothing.
    held.release();
    await stalled;
    expect(await clusterOf(id)).toBe('fo-c');
    expect(memory['fo-c'].workloads.has('fo-y')).toBe(true);
    await setReady('fo-a', true);
    await second.cleanupReturned(ids['fo-a']);
    expect(memory['fo-a'].workloads.has('fo-y')).toBe(false);
    await db().delete(deployments).where(eq(deployments.id, id));
    memory['fo-c'].workloads.delete('fo-y');
  });

  it('cancels an abandoned move whose deployment was deleted, and takes away what it applied on the target', async () => {
    const { id, held, stalled } = await stalledMove('fo-w', '2026-01-04T00:00:00Z');
    await db().delete(deployments).where(eq(deployments.id, id));
    memory['fo-a'].workloads.delete('fo-w');
    await instance('2026-01-04T00:05:00Z').run();
    expect(await allRecords(id)).toEqual([expect.objectContaining({ state: 'cancelled', reason: 'the deployment was deleted' })]);
    expect(memory['fo-b'].calls).toEqual(['apply fo-w', 'scale fo-w 0', 'remove fo-w']);
    expect(memory['fo-b'].workloads.has('fo-w')).toBe(false);
    held.release();
    await stalled;
    expect(memory['fo-b'].workloads.has('fo-w')).toBe(false);
    await setReady('fo-a', true);
  });

  it('cancels an abandoned move whose cluster came back, and takes away what it applied on the target', async () => {
    const { id, held, stalled } = await stalledMove('fo-z', '2026-01-03T00:00:00Z');
    await setReady('fo-a', true);

    await instance('2026-01-03T00:05:00Z').run();
    expect(await clusterOf(id)).toBe('fo-a');
    expect(await allRecords(id)).toEqual([expect.objectContaining({ state: 'cancelled' })]);
    expect(memory['fo-b'].calls).toEqual(['apply fo-z', 'scale fo-z 0', 'remove fo-z']);
    expect(memory['fo-b'].workloads.has('fo-z')).toBe(false);
    expect(memory['fo-a'].workloads.has('fo-z')).toBe(true);
    held.release();
    await stalled;
    expect(await clusterOf(id)).toBe('fo-a');
    expect(memory['fo-b'].workloads.has('fo-z')).toBe(false);
    await db().delete(deployments).where(eq(deployments.id, id));
  });
});
