import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterDriver } from '../../src/clusters/cluster-driver.js';
import { createClusterRegistry } from '../../src/clusters/cluster-registry.js';
import { readOrCreateHostIdentity } from '../../src/clusters/local/host-identity.js';
import { createLocalDriver, type LocalDriver, type LocalDriverDeps } from '../../src/clusters/local/local-driver.js';
import { renderWorkloadSpec, type WorkloadEvent, type WorkloadSpec } from '../../src/domain/workload.js';
import { createLogger } from '../../src/lib/logger.js';
import { createSecretBox } from '../../src/lib/secret-box.js';
import { deploymentEventRetention } from '../../src/reconcilers/deployment-event-retention.js';
import { createClusterRepo } from '../../src/services/clusters/cluster-repo.js';
import { createClusterService } from '../../src/services/clusters/cluster-service.js';
import { createDeploymentEventRepo } from '../../src/services/deployment-events/deployment-event-repo.js';
import { createDeploymentEventService, type DeploymentEventService } from '../../src/services/deployment-events/deployment-event-service.js';
import { createEventCopy, type EventCopy } from '../../src/services/deployment-events/event-copy.js';
import { createDeploymentRepo } from '../../src/services/deployments/deployment-repo.js';
import { fakeRuntime, fakeRuntimeProgram } from '../support/fake-runtime.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false });
const TIMING: LocalDriverDeps['timing'] = { backoff: { initialMs: 100, maxMs: 1000, crashLoopAfter: 3 }, healthIntervalMs: 100, readyCheckIntervalMs: 500, stopGraceMs: 3000 };

interface HistoryItem {
  id: string;
  deploymentId: string;
  deploymentName: string;
  cluster: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string };
  count: number;
  firstSeen: string;
  lastSeen: string;
}
interface HistoryPage {
  items: HistoryItem[];
  total: number;
  limit: number;
  offset: number;
}

const DAY_MS = 24 * 3600 * 1000;
const event = (reason: string, at: Date, extra: Partial<WorkloadEvent> = {}): WorkloadEvent => ({
  type: 'Normal',
  reason,
  message: `${reason} happened`,
  count: 1,
  firstTimestamp: at.toISOString(),
  lastTimestamp: at.toISOString(),
  involvedObject: { kind: 'Workload', name: 'w' },
  ...extra,
});

describe.each(testBackends())('events history (%s)', { timeout: 120_000 }, (backend) => {
  let t: TestApp;
  let headers: { authorization: string };
  let history: DeploymentEventService;
  let localClusterId: string;

  const historyOf = async (id: string, query = 'limit=500') => {
    const response = await t.app.inject({ method: 'GET', url: `/api/deployments/${id}/events/history?${query}`, headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<HistoryPage>();
  };

  beforeAll(async () => {
    await fakeRuntimeProgram();
    t = await createTestApp(backend);
    headers = await t.admin();
    history = createDeploymentEventService({ repo: createDeploymentEventRepo(t.database.handle.db), deployments: createDeploymentRepo(t.database.handle.db) });
    const clusters = (await t.app.inject({ method: 'GET', url: '/api/clusters', headers })).json<{ items: Array<{ id: string; name: string }> }>().items;
    localClusterId = clusters.find((cluster) => cluster.name === 'local')!.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('copied from the local driver', () => {
    let driverDir: string;
    let driver: LocalDriver;
    let spec: WorkloadSpec;
    let deployment: { id: string; remove(): Promise<void> };

    const makeDriver = () => createLocalDriver({ dataDir: driverDir, logger, env: process.env, selfCommand: null, timing: TIMING });
    /** The event copy as the composition makes it, on this test's local driver (a new one is what a server restart makes). */
    const makeCopy = async (acting: () => ClusterDriver): Promise<EventCopy> => {
      const host = await readOrCreateHostIdentity(t.config.dataDir);
      const registry = createClusterRegistry({ nvidiaSmiCommand: 'nvidia-smi', hostId: host.id, localDriver: acting, logger });
      const clusters = createClusterService({ host, repo: createClusterRepo(t.database.handle.db), connectors: registry, secretBox: createSecretBox('k'.repeat(32)), logger });
      return createEventCopy({ deployments: createDeploymentRepo(t.database.handle.db), clusters, drivers: registry, events: history, logger });
    };
    const scaledUp = (page: HistoryPage) => page.items.filter((item) => item.reason === 'Scaled' && item.message === 'Scaled from 1 to 2 replica(s)');
    const driverEvent = async (reason: string, message: string) => (await driver.events(spec.name)).find((entry) => entry.reason === reason && entry.message === message);
    /** Exactly `count` replicas, all ready (none starting or stopping): no event is on its way. */
    const readyReplicas = (count: number) =>
      waitFor(
        `${count} ready replica(s) and no other`,
        async () => {
          const status = await driver.status(spec.name);
          return status?.replicas.ready === count && status.replicaStatuses.length === count ? true : undefined;
        },
        { timeoutMs: 60_000, describe: () => driver.status(spec.name) },
      );

    beforeAll(async () => {
      driverDir = await mkdtemp(path.join(tmpdir(), 'hmas-event-copy-'));
      const program = await fakeRuntimeProgram();
      const name = `events-${process.pid % 10_000}-${backend}`;
      deployment = await insertServedDeployment(t.database.handle, name, []);
      spec = renderWorkloadSpec({
        deployment: { id: deployment.id, name, replicas: 1 },
        model: { name: 'fake-model', localPath: '/models/fake-model.gguf' },
        runtime: fakeRuntime(program, {}),
        resourceProfile: null,
        optimization: {},
        progressDeadlineSeconds: 120,
      }).spec;
      driver = makeDriver();
      await driver.start();
    });
    afterAll(async () => {
      if (driver) {
        await driver.remove(spec.name).catch(() => undefined);
        await driver.close();
      }
      await deployment?.remove();
      await rm(driverDir, { recursive: true, force: true });
    });

    it('copies each event once: a repeat raises count and last seen, the same report again adds nothing, and a restarted driver re-reporting them changes nothing', async () => {
      await driver.apply(spec);
      await readyReplicas(1);
      const copy = await makeCopy(() => driver);
      await copy.copyAll();
      const first = await historyOf(deployment.id);
      expect(first.items.map((item) => item.reason)).toEqual(expect.arrayContaining(['Created', 'Started', 'Ready']));
      expect(first.items.every((item) => item.deploymentId === deployment.id && item.cluster === 'local' && item.deploymentName === spec.name)).toBe(true);

      await driver.scale(spec.name, 2);
      await copy.copyAll();
      const once = scaledUp(await historyOf(deployment.id));
      expect(once).toHaveLength(1);
      expect(once[0]).toMatchObject({ count: 1, type: 'Normal', involvedObject: { kind: 'Workload', name: spec.name } });

      // The same event again on the cluster: one row, its count and last occurrence follow.
      await driver.scale(spec.name, 1);
      await driver.scale(spec.name, 2);
      await readyReplicas(2);
      const repeated = await driverEvent('Scaled', 'Scaled from 1 to 2 replica(s)');
      expect(repeated?.count).toBe(2);
      await copy.copyAll();
      const twice = scaledUp(await historyOf(deployment.id));
      expect(twice).toHaveLength(1);
      expect(twice[0]).toMatchObject({ id: once[0]!.id, count: 2, firstSeen: once[0]!.firstSeen, lastSeen: repeated!.lastTimestamp });
      expect(Date.parse(twice[0]!.lastSeen)).toBeGreaterThan(Date.parse(once[0]!.lastSeen));

      // Copying the same reports again (each copy reads back a few minutes) adds nothing.
      const before = await historyOf(deployment.id);
      await copy.copyAll();
      const again = await historyOf(deployment.id);
      expect(again.total).toBe(before.total);
      expect(again.items.map((item) => [item.id, item.count, item.lastSeen])).toEqual(before.items.map((item) => [item.id, item.count, item.lastSeen]));

      // A new driver for the same workloads (a server restart) reports the same events again, and a new copy reads them all.
      await driver.close();
      driver = makeDriver();
      await driver.start();
      await readyReplicas(2);
      expect((await driverEvent('Scaled', 'Scaled from 1 to 2 replica(s)'))?.count).toBe(2);
      const afterRestart = await makeCopy(() => driver);
      await afterRestart.copyAll();
      const restarted = await historyOf(deployment.id);
      expect(scaledUp(restarted)).toEqual(twice);
      const rowsOf = (page: HistoryPage) => new Map(page.items.map((item) => [item.id, item.count]));
      for (const [id, count] of rowsOf(again)) expect(rowsOf(restarted).get(id), `row ${id}`).toBe(count);
      // Only what the new driver saw for the first time is new (it adopted the running replicas).
      expect(restarted.items.filter((item) => !rowsOf(again).has(item.id)).map((item) => item.reason)).toEqual(expect.arrayContaining(['Adopted']));
      expect(restarted.items.filter((item) => !rowsOf(again).has(item.id)).every((item) => item.reason === 'Adopted')).toBe(true);

      // The new driver counts on from what it kept: a third occurrence makes count 3.
      await driver.scale(spec.name, 1);
      await driver.scale(spec.name, 2);
      await readyReplicas(2);
      await afterRestart.copyAll();
      expect(scaledUp(await historyOf(deployment.id))).toMatchObject([{ id: once[0]!.id, count: 3 }]);
    });

    it("copies cluster local's events in the owner's pass (owned), not in the leader's (shared)", async () => {
      const copy = await makeCopy(() => driver);
      await driver.scale(spec.name, 1);
      await readyReplicas(1);
      const scaledDown = (page: HistoryPage) => page.items.filter((item) => item.message === 'Scaled from 2 to 1 replica(s)').map((item) => item.count);
      const before = scaledDown(await historyOf(deployment.id));
      const reported = (await driverEvent('Scaled', 'Scaled from 2 to 1 replica(s)'))!.count;
      expect(before).not.toEqual([reported]);
      await copy.copyAll(undefined, 'shared');
      expect(scaledDown(await historyOf(deployment.id))).toEqual(before);
      await copy.copyAll(undefined, 'owned');
      expect(scaledDown(await historyOf(deployment.id))).toEqual([reported]);
      await driver.scale(spec.name, 2);
      await readyReplicas(2);
      await copy.copyAll();
    });

    it('asks each workload for its events when a driver has no clusterEvents, with the same result', async () => {
      const { clusterEvents: _one, ...perWorkload } = driver;
      expect(perWorkload).not.toHaveProperty('clusterEvents');
      const before = await historyOf(deployment.id);
      await (await makeCopy(() => perWorkload as ClusterDriver)).copyAll();
      const after = await historyOf(deployment.id);
      expect(after.items.map((item) => [item.id, item.count])).toEqual(before.items.map((item) => [item.id, item.count]));
      await driver.scale(spec.name, 3);
      await readyReplicas(3);
      await (await makeCopy(() => perWorkload as ClusterDriver)).copyAll();
      expect((await historyOf(deployment.id)).items.filter((item) => item.message === 'Scaled from 2 to 3 replica(s)')).toMatchObject([{ count: 1 }]);
      await driver.scale(spec.name, 2);
    });
  });

  describe('kept and read back', () => {
    let deployment: { id: string; remove(): Promise<void> };
    const now = Date.now();
    const minutesAgo = (minutes: number) => new Date(now - minutes * 60_000);

    beforeAll(async () => {
      deployment = await insertServedDeployment(t.database.handle, `history-${backend}`, []);
      await history.record({
        cluster: { id: localClusterId, name: 'local' },
        events: [
          event('Created', minutesAgo(50)),
          event('Started', minutesAgo(40), { involvedObject: { kind: 'Replica', name: 'history-0' } }),
          event('BackOff', minutesAgo(30), { type: 'Warning', count: 4, firstTimestamp: minutesAgo(35).toISOString() }),
          event('Ready', minutesAgo(20), { involvedObject: { kind: 'Replica', name: 'history-0' } }),
          event('Unhealthy', minutesAgo(10), { type: 'Warning', message: 'health check failed' }),
        ].map((entry) => ({ deployment: { id: deployment.id, name: `history-${backend}` }, event: entry })),
      });
    });
    afterAll(async () => {
      await deployment?.remove();
    });

    it('lists last seen first, filters by type and by time, and pages', async () => {
      const all = await historyOf(deployment.id);
      expect(all.total).toBe(5);
      expect(all.items.map((item) => item.reason)).toEqual(['Unhealthy', 'Ready', 'BackOff', 'Started', 'Created']);
      expect(all.items[2]).toMatchObject({ type: 'Warning', count: 4, firstSeen: minutesAgo(35).toISOString(), lastSeen: minutesAgo(30).toISOString() });

      const warnings = await historyOf(deployment.id, 'type=Warning');
      expect(warnings.items.map((item) => item.reason)).toEqual(['Unhealthy', 'BackOff']);
      expect(warnings.total).toBe(2);

      const window = await historyOf(deployment.id, `from=${encodeURIComponent(minutesAgo(45).toISOString())}&to=${encodeURIComponent(minutesAgo(20).toISOString())}`);
      expect(window.items.map((item) => item.reason)).toEqual(['Ready', 'BackOff', 'Started']);
      const normalSince = await historyOf(deployment.id, `type=Normal&from=${encodeURIComponent(minutesAgo(25).toISOString())}`);
      expect(normalSince.items.map((item) => item.reason)).toEqual(['Ready']);

      const page = await historyOf(deployment.id, 'limit=2&offset=1');
      expect(page).toMatchObject({ total: 5, limit: 2, offset: 1 });
      expect(page.items.map((item) => item.reason)).toEqual(['Ready', 'BackOff']);
      expect((await historyOf(deployment.id, 'limit=2&offset=4')).items.map((item) => item.reason)).toEqual(['Created']);
    });

    it('refuses a bad query with 400 and a code, and an unknown deployment with 404', async () => {
      const ask = (query: string, id = deployment.id) => t.app.inject({ method: 'GET', url: `/api/deployments/${id}/events/history?${query}`, headers });
      const reversed = await ask(`from=${encodeURIComponent(minutesAgo(10).toISOString())}&to=${encodeURIComponent(minutesAgo(20).toISOString())}`);
      expect(reversed.statusCode).toBe(400);
      expect(reversed.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      expect(reversed.json<{ error: { message: string } }>().error.message).toContain('"from" must not be after "to".');
      const badType = await ask('type=Error');
      expect(badType.statusCode).toBe(400);
      expect(badType.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      expect(badType.json<{ error: { message: string } }>().error.message).toContain('type must be Normal or Warning.');
      const unknown = await ask('', randomUUID());
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ error: { code: 'DEPLOYMENT_NOT_FOUND' } });
    });

    it('is readable by a viewer, and after the deployment is deleted', async () => {
      const viewer = await t.userWithRole('viewer');
      const read = await t.app.inject({ method: 'GET', url: `/api/deployments/${deployment.id}/events/history`, headers: viewer.headers });
      expect(read.statusCode).toBe(200);
      expect(read.json<HistoryPage>().total).toBe(5);
      const gone = await insertServedDeployment(t.database.handle, `history-gone-${backend}`, []);
      await history.record({ cluster: { id: localClusterId, name: 'local' }, events: [{ deployment: { id: gone.id, name: `history-gone-${backend}` }, event: event('Killing', minutesAgo(5)) }] });
      await gone.remove();
      expect((await historyOf(gone.id)).items).toMatchObject([{ reason: 'Killing', deploymentName: `history-gone-${backend}` }]);
    });
  });

  it('adds what a cluster counted since the last copy, also when it counts again from 1 (an expired Kubernetes event recurring)', async () => {
    const deploymentId = randomUUID();
    const base = Date.now();
    const copy = (count: number, minutes: number) =>
      history.record({
        cluster: { id: localClusterId, name: 'local' },
        events: [{ deployment: { id: deploymentId, name: 'counted' }, event: event('BackOff', new Date(base - minutes * 60_000), { type: 'Warning', count, firstTimestamp: new Date(base - 60 * 60_000).toISOString() }) }],
      });
    const counted = async () => (await historyOf(deploymentId)).items.map((item) => item.count);
    await copy(3, 50);
    expect(await counted()).toEqual([3]);
    await copy(5, 40);
    expect(await counted()).toEqual([5]);
    await copy(5, 40);
    expect(await counted()).toEqual([5]);
    // The cluster forgot it and counts again: its new count is added.
    await copy(2, 20);
    expect(await counted()).toEqual([7]);
    // A new event of count 2 seen later again (the same count, a later time): one more occurrence.
    await copy(2, 10);
    expect(await counted()).toEqual([8]);
    // An older report (a member's cache behind) never moves last seen back.
    const lastSeen = (await historyOf(deploymentId)).items[0]!.lastSeen;
    await copy(2, 30);
    expect((await historyOf(deploymentId)).items[0]).toMatchObject({ count: 8, lastSeen });
  });

  describe('retention', () => {
    let deploymentId: string;

    it('deletes events last seen before the retention, in batches, and keeps the rest', async () => {
      deploymentId = randomUUID();
      const now = Date.now();
      const old = Array.from({ length: 5 }, (_, index) => event(`Old${index}`, new Date(now - (31 + index) * DAY_MS)));
      // Seen first long ago but again recently: kept.
      const recurring = event('Recurring', new Date(now - DAY_MS), { firstTimestamp: new Date(now - 40 * DAY_MS).toISOString() });
      const recent = event('Recent', new Date(now - 29 * DAY_MS));
      await history.record({ cluster: { id: localClusterId, name: 'local' }, events: [...old, recurring, recent].map((entry) => ({ deployment: { id: deploymentId, name: 'retained' }, event: entry })) });
      expect((await historyOf(deploymentId)).total).toBe(7);

      expect(await history.purgeOlderThan(30, 2)).toBe(5);
      expect((await historyOf(deploymentId)).items.map((item) => item.reason).sort()).toEqual(['Recent', 'Recurring']);

      // The hourly loop, as composed.
      const loop = deploymentEventRetention({ store: history, retentionDays: 28, logger });
      expect(loop).toMatchObject({ name: 'deployment-event-retention', intervalMs: 3_600_000, runImmediately: true });
      await loop.tick(new AbortController().signal);
      expect((await historyOf(deploymentId)).items.map((item) => item.reason)).toEqual(['Recurring']);
    });
  });
});
