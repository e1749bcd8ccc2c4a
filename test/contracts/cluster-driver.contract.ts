// The contract every ClusterDriver keeps. A driver's test file calls `clusterDriverContract`
// with a harness that makes the driver and runtimes whose replicas behave as told (the fake
// runtime in test/support/fake-runtime.ts, or its image on a real cluster).
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterDriver } from '../../src/clusters/cluster-driver.js';
import type { Optimization } from '../../src/domain/optimization.js';
import {
  renderWorkloadSpec,
  type ReplicaStatus,
  type WorkloadRuntime,
  type WorkloadSpec,
  type WorkloadStatus,
  type WorkloadResources,
  type WorkloadStrategy,
} from '../../src/domain/workload.js';
import type { FakeBehaviour } from '../support/fake-runtime.js';
import { waitFor } from '../support/wait-for.js';

export interface DriverHarness {
  /** The driver under test; replaced by `restartDriver`. */
  driver: ClusterDriver;
  /** A runtime whose replicas behave as told. */
  runtime(behaviour: FakeBehaviour): WorkloadRuntime;
  /** A runtime whose program does not exist where the driver runs it, and that program's name. */
  missingRuntime(): { runtime: WorkloadRuntime; program: string };
  /** Whether anything of this replica still runs (a process, a pod). */
  replicaRunning(replica: ReplicaStatus): Promise<boolean>;
  /**
   * H-MAS restarting: closes the driver, runs `meanwhile` (while no driver runs), and makes a new
   * driver over the same cluster and saved state.
   */
  restartDriver(meanwhile?: () => Promise<void>): Promise<ClusterDriver>;
  /** Ends a replica behind the driver's back and waits until it is gone. */
  killReplica(replica: ReplicaStatus): Promise<void>;
  /** Removes whatever the test left and checks nothing runs; then closes the driver. */
  close(): Promise<void>;
}

/**
 * What differs between drivers for good reasons (default: the local host driver's answers).
 * A Kubernetes Service is one endpoint in front of all pods, pods have no host pid, the cluster
 * counts its own BackOff events, and adopting a running pod is nothing a cluster records.
 */
export interface DriverCapabilities {
  /** One endpoint (and port) per ready replica; false: one endpoint for the workload (a Service). */
  endpointsPerReplica: boolean;
  /** Replicas report a process id. */
  replicaPids: boolean;
  /** A new driver instance records an `Adopted` event per running replica it picks up. */
  adoptionEvents: boolean;
  /** BackOff events count exactly the back-offs the driver waited (a cluster keeps counting on its own schedule). */
  exactBackOffCounts: boolean;
}

export interface DriverContractOptions {
  createHarness(): Promise<DriverHarness>;
  capabilities?: Partial<DriverCapabilities>;
  /** What each replica asks for (default: none, i.e. the default resources); a shared test cluster asks for little CPU. */
  resourceProfile?: WorkloadResources;
  /** How long to wait for something that will happen (generous: machines are slow and shared). */
  waitMs?: number;
}

let counter = 0;

export function clusterDriverContract(driverName: string, options: DriverContractOptions): void {
  const waitMs = options.waitMs ?? 60_000;
  const can: DriverCapabilities = { endpointsPerReplica: true, replicaPids: true, adoptionEvents: true, exactBackOffCounts: true, ...options.capabilities };

  describe(`ClusterDriver contract: ${driverName}`, () => {
    let harness: DriverHarness;
    const driver = () => harness.driver;

    beforeEach(async () => {
      harness = await options.createHarness();
    });
    afterEach(async () => {
      await harness.close();
    });

    function spec(
      behaviour: FakeBehaviour,
      settings: { replicas?: number; optimization?: Optimization; strategy?: WorkloadStrategy; progressDeadlineSeconds?: number; runtime?: WorkloadRuntime; name?: string } = {},
    ): WorkloadSpec {
      counter += 1;
      return renderWorkloadSpec({
        deployment: { id: randomUUID(), name: settings.name ?? `contract-${process.pid % 10_000}-${counter}`, replicas: settings.replicas ?? 1 },
        model: { name: 'fake-model', localPath: '/models/fake-model.gguf' },
        runtime: settings.runtime ?? harness.runtime(behaviour),
        resourceProfile: options.resourceProfile ?? null,
        ...(settings.optimization ? { optimization: settings.optimization } : {}),
        ...(settings.strategy ? { strategy: settings.strategy } : {}),
        progressDeadlineSeconds: settings.progressDeadlineSeconds ?? 120,
      }).spec;
    }

    /** Same deployment, another spec. */
    function respec(base: WorkloadSpec, behaviour: FakeBehaviour, settings: { optimization?: Optimization; strategy?: WorkloadStrategy; replicas?: number } = {}): WorkloadSpec {
      return renderWorkloadSpec({
        deployment: { id: base.deploymentId, name: base.name, replicas: settings.replicas ?? base.replicas },
        model: { name: 'fake-model', localPath: '/models/fake-model.gguf' },
        runtime: harness.runtime(behaviour),
        resourceProfile: options.resourceProfile ?? null,
        ...(settings.optimization ? { optimization: settings.optimization } : {}),
        strategy: settings.strategy ?? base.strategy,
        progressDeadlineSeconds: base.progressDeadlineSeconds,
      }).spec;
    }

    const statusWhere = (name: string, what: string, test: (status: WorkloadStatus) => boolean, timeoutMs = waitMs) =>
      waitFor(
        what,
        async () => {
          const status = await driver().status(name);
          return status && test(status) ? status : undefined;
        },
        { timeoutMs, describe: async () => ({ status: await driver().status(name), events: await driver().events(name) }) },
      );

    const available = (name: string, replicas: number) =>
      statusWhere(name, `${name} available with ${replicas} replica(s)`, (status) => status.phase === 'Available' && status.replicas.ready === replicas);

    const gone = async (replicas: ReplicaStatus[]) => {
      for (const replica of replicas) {
        await waitFor(`replica ${replica.id} to be gone`, async () => ((await harness.replicaRunning(replica)) ? undefined : true), { timeoutMs: waitMs });
      }
    };

    it('runs an applied workload until it is ready and gives its OpenAI endpoint', async () => {
      const workload = spec({ healthyAfterMs: 300 });
      expect(await driver().apply(workload)).toEqual({ action: 'created', specHash: workload.specHash });

      const status = await available(workload.name, 1);
      expect(status).toMatchObject({ name: workload.name, deploymentId: workload.deploymentId, specHash: workload.specHash, reason: null });
      expect(status.replicas).toEqual({ desired: 1, current: 1, ready: 1, available: 1, updated: 1 });
      expect(status.replicaStatuses[0]).toMatchObject({ state: 'ready', ready: true, restarts: 0, specHash: workload.specHash });

      const endpoints = await driver().endpoints(workload.name);
      expect(endpoints).toHaveLength(1);
      expect(endpoints[0]?.url).toBe(`${endpoints[0]?.origin}/v1`);
      const models = await fetch(`${endpoints[0]?.url}/models`);
      expect(models.status).toBe(200);
      // The model id the runtime answers to is the deployment's name.
      expect(((await models.json()) as { data: Array<{ id: string }> }).data[0]?.id).toBe(workload.name);

      const reasons = (await driver().events(workload.name)).map((event) => event.reason);
      expect(reasons).toEqual(expect.arrayContaining(['Created', 'Started', 'Ready']));
      expect(await driver().list()).toContainEqual({ name: workload.name, deploymentId: workload.deploymentId, specHash: workload.specHash, replicas: 1 });
    });

    it('restarts nothing when the same spec is applied again, rendered anew', async () => {
      const workload = spec({});
      await driver().apply(workload);
      const before = await available(workload.name, 1);
      const again = respec(workload, {});
      expect(again.specHash).toBe(workload.specHash);
      expect(await driver().apply(again)).toEqual({ action: 'unchanged', specHash: workload.specHash });
      const after = await driver().status(workload.name);
      expect(after?.replicaStatuses.map(({ id, pid, restarts, state }) => ({ id, pid, restarts, state }))).toEqual(
        before.replicaStatuses.map(({ id, pid, restarts, state }) => ({ id, pid, restarts, state })),
      );
    });

    it('scales by applying the same spec with another replica count, without restarting the running replica', async () => {
      const workload = spec({});
      await driver().apply(workload);
      const [first] = (await available(workload.name, 1)).replicaStatuses;
      expect(await driver().apply({ ...workload, replicas: 2 })).toEqual({ action: 'scaled', specHash: workload.specHash });
      const status = await available(workload.name, 2);
      expect(status.replicaStatuses.find((replica) => replica.id === first?.id)).toMatchObject({ pid: first?.pid, restarts: 0 });
    });

    it('replaces replicas one by one on a changed spec, always keeping one serving (RollingUpdate)', async () => {
      const workload = spec({});
      await driver().apply(workload);
      const [old] = (await available(workload.name, 1)).replicaStatuses;
      const changed = respec(workload, { healthyAfterMs: 600 }, { optimization: { raw: { extraArgs: ['--revision', '2'] } } });
      expect(changed.specHash).not.toBe(workload.specHash);
      expect(await driver().apply(changed)).toEqual({ action: 'updated', specHash: changed.specHash });

      let fewestEndpoints = Number.POSITIVE_INFINITY;
      const status = await waitFor(
        'the new spec to be rolled out',
        async () => {
          fewestEndpoints = Math.min(fewestEndpoints, (await driver().endpoints(workload.name)).length);
          const seen = await driver().status(workload.name);
          return seen?.phase === 'Available' && seen.replicaStatuses.every((replica) => replica.specHash === changed.specHash) ? seen : undefined;
        },
        { timeoutMs: waitMs, describe: () => driver().status(workload.name) },
      );
      expect(fewestEndpoints).toBeGreaterThanOrEqual(1);
      expect(status.replicaStatuses).toHaveLength(1);
      expect(status.replicaStatuses[0]?.id).not.toBe(old?.id);
      await gone([old as ReplicaStatus]);
    });

    it('stops the old replicas before starting new ones when the strategy is Recreate', async () => {
      const workload = spec({}, { strategy: 'Recreate' });
      await driver().apply(workload);
      const [old] = (await available(workload.name, 1)).replicaStatuses;
      const changed = respec(workload, {}, { optimization: { raw: { extraArgs: ['--revision', '2'] } } });
      expect(await driver().apply(changed)).toMatchObject({ action: 'updated' });
      const status = await statusWhere(workload.name, 'the new spec to be running', (seen) => seen.phase === 'Available' && seen.specHash === changed.specHash && seen.replicaStatuses.every((replica) => replica.specHash === changed.specHash));
      const events = await driver().events(workload.name);
      const stopped = events.findIndex((event) => event.reason === 'Killing' && event.involvedObject.name === old?.id);
      const startedNew = events.findIndex((event) => event.reason === 'Started' && event.involvedObject.name === status.replicaStatuses[0]?.id);
      expect(stopped).toBeGreaterThanOrEqual(0);
      expect(startedNew).toBeGreaterThan(stopped);
    });

    it('scales to two replicas on their own ports, to zero keeping the workload, and back', async () => {
      const workload = spec({});
      await driver().apply(workload);
      await available(workload.name, 1);

      await driver().scale(workload.name, 2);
      const two = await available(workload.name, 2);
      if (can.endpointsPerReplica) {
        const ports = new Set(two.replicaStatuses.map((replica) => replica.port));
        expect(ports.size).toBe(2);
      }
      const endpoints = await driver().endpoints(workload.name);
      expect(endpoints).toHaveLength(can.endpointsPerReplica ? 2 : 1);
      // One endpoint for several replicas says so: Prometheus discovery must not scrape it as one replica.
      for (const endpoint of endpoints) expect(endpoint.balanced, endpoint.replica).toBe(can.endpointsPerReplica ? undefined : true);

      await driver().scale(workload.name, 0);
      const stopped = await statusWhere(workload.name, 'scaled to zero', (status) => status.phase === 'Stopped');
      expect(stopped.replicas).toEqual({ desired: 0, current: 0, ready: 0, available: 0, updated: 0 });
      expect(stopped.replicaStatuses).toEqual([]);
      expect(await driver().endpoints(workload.name)).toEqual([]);
      await gone(two.replicaStatuses);
      expect(await driver().list()).toContainEqual(expect.objectContaining({ name: workload.name, replicas: 0 }));

      await driver().scale(workload.name, 1);
      await available(workload.name, 1);
    });

    it('restarts a crashing replica with back-off and reports CrashLoopBackOff after repeated crashes', async () => {
      const workload = spec({ crashAfterMs: 150, exitCode: 3 });
      await driver().apply(workload);
      const status = await statusWhere(workload.name, 'CrashLoopBackOff', (seen) => seen.reason === 'CrashLoopBackOff' && seen.phase === 'Failed');
      const [replica] = status.replicaStatuses;
      expect(replica).toMatchObject({ state: 'crashloop', ready: false, lastExitCode: 3, lastTerminationReason: 'Error', reason: 'CrashLoopBackOff' });
      expect(replica?.restarts).toBeGreaterThanOrEqual(2);
      expect(status.message).toContain(replica?.id);

      const events = await driver().events(workload.name);
      expect(events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'CrashLoopBackOff' }));
      expect(events.find((event) => event.reason === 'BackOff')).toMatchObject({ type: 'Warning', count: can.exactBackOffCounts ? 2 : expect.any(Number) });
      expect(events.find((event) => event.reason === 'Exited')?.count).toBeGreaterThanOrEqual(3);
      expect(await driver().endpoints(workload.name)).toEqual([]);
    });

    it('reports OOMKilled when the replica is killed with SIGKILL, and restarts it', async () => {
      const workload = spec({ sigkillAfterMs: 150 });
      await driver().apply(workload);
      const status = await statusWhere(workload.name, 'OOMKilled', (seen) => seen.reason === 'OOMKilled' && (seen.replicaStatuses[0]?.restarts ?? 0) >= 1);
      expect(status.replicaStatuses[0]).toMatchObject({ lastSignal: 'SIGKILL', lastTerminationReason: 'OOMKilled' });
      expect(await driver().events(workload.name)).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'OOMKilled' }));
    });

    it('reports ProgressDeadlineExceeded when a replica is not healthy within the deadline', async () => {
      const workload = spec({ neverHealthy: true }, { progressDeadlineSeconds: 1 });
      await driver().apply(workload);
      const status = await statusWhere(workload.name, 'ProgressDeadlineExceeded', (seen) => seen.reason === 'ProgressDeadlineExceeded');
      expect(status).toMatchObject({ phase: 'Failed', replicas: expect.objectContaining({ desired: 1, ready: 0 }) });
      expect(status.replicaStatuses[0]).toMatchObject({ state: 'failed', ready: false, reason: 'ProgressDeadlineExceeded' });
      expect(status.replicaStatuses[0]?.message).toContain('/health');
      expect(await driver().events(workload.name)).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'ProgressDeadlineExceeded', count: 1 }));
      expect(await driver().endpoints(workload.name)).toEqual([]);
    });

    it('fails a workload whose runtime program is missing with BinaryNotFound, and keeps working', async () => {
      const missing = harness.missingRuntime();
      const workload = spec({}, { runtime: missing.runtime });
      await driver().apply(workload);
      const status = await statusWhere(workload.name, 'BinaryNotFound', (seen) => seen.reason === 'BinaryNotFound');
      expect(status.phase).toBe('Failed');
      expect(status.replicaStatuses[0]).toMatchObject({ state: 'failed', pid: null, reason: 'BinaryNotFound' });
      expect(status.message).toContain(missing.program);
      expect(await driver().events(workload.name)).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'BinaryNotFound' }));

      const healthy = spec({});
      await driver().apply(healthy);
      await available(healthy.name, 1);
      expect(await driver().remove(workload.name)).toEqual({ removed: true });
    });

    it('removes a workload: nothing of it runs and it is gone from every read', async () => {
      const workload = spec({}, { replicas: 2 });
      await driver().apply(workload);
      const { replicaStatuses } = await available(workload.name, 2);
      expect(await driver().remove(workload.name)).toEqual({ removed: true });
      for (const replica of replicaStatuses) expect(await harness.replicaRunning(replica)).toBe(false);
      expect(await driver().status(workload.name)).toBeNull();
      expect(await driver().events(workload.name)).toEqual([]);
      expect(await driver().endpoints(workload.name)).toEqual([]);
      expect(await driver().logs(workload.name)).toEqual([]);
      expect((await driver().list()).map((summary) => summary.name)).not.toContain(workload.name);
      expect(await driver().remove(workload.name)).toEqual({ removed: false });
      await expect(driver().scale(workload.name, 1)).rejects.toMatchObject({ code: 'WORKLOAD_NOT_FOUND', statusCode: 404 });
    });

    it('picks up running replicas after a restart (same processes) and starts again the ones that died meanwhile', async () => {
      const workload = spec({}, { replicas: 2 });
      await driver().apply(workload);
      const before = (await available(workload.name, 2)).replicaStatuses;
      const [kept, killed] = before as [ReplicaStatus, ReplicaStatus];

      await harness.restartDriver(() => harness.killReplica(killed));
      const after = await available(workload.name, 2);
      const keptAfter = after.replicaStatuses.find((replica) => replica.id === kept.id);
      const restarted = after.replicaStatuses.find((replica) => replica.id === killed.id);
      expect(keptAfter).toMatchObject({ pid: kept.pid, port: kept.port, restarts: 0 });
      if (can.replicaPids) expect(restarted?.pid).not.toBe(killed.pid);
      expect(restarted?.restarts).toBe(1);
      const events = await driver().events(workload.name);
      if (can.adoptionEvents) expect(events).toContainEqual(expect.objectContaining({ reason: 'Adopted', involvedObject: { kind: 'Replica', name: kept.id } }));
      expect(events).toContainEqual(expect.objectContaining({ reason: 'Created' }));

      expect(await driver().remove(workload.name)).toEqual({ removed: true });
      for (const replica of [...before, ...after.replicaStatuses]) expect(await harness.replicaRunning(replica)).toBe(false);
    });

    it('answers events since a time', async () => {
      const workload = spec({});
      await driver().apply(workload);
      await available(workload.name, 1);
      const all = await driver().events(workload.name);
      expect(await driver().events(workload.name, new Date(0))).toEqual(all);
      expect(await driver().events(workload.name, new Date(Date.now() + 60_000))).toEqual([]);
      const last = all.at(-1);
      expect(await driver().events(workload.name, new Date(last?.lastTimestamp ?? 0))).toContainEqual(last);

      // The whole cluster's events in one read (for the event-copy loop): the same, named by workload.
      const clusterEvents = driver().clusterEvents?.bind(driver());
      if (!clusterEvents) return;
      await waitFor(
        "the workload's events among the cluster's",
        async () => {
          const own = await driver().events(workload.name);
          const named = (await clusterEvents()).filter((event) => event.workload === workload.name).map(({ workload: _name, ...event }) => event);
          return JSON.stringify(named) === JSON.stringify(own) ? true : undefined;
        },
        { timeoutMs: 10_000, describe: async () => ({ own: await driver().events(workload.name), cluster: await clusterEvents() }) },
      );
      expect(await clusterEvents(new Date(Date.now() + 60_000))).toEqual([]);
    });

    it('keeps the last lines of each replica and follows new ones', async () => {
      const workload = spec({ printLines: 6, printEveryMs: 100 });
      await driver().apply(workload);
      await available(workload.name, 1);
      // Lines on stdout and stderr (every third) both reach the logs.
      const [logs] = await waitFor('the printed lines', async () => {
        const found = await driver().logs(workload.name);
        return found[0]?.lines.some((line) => line === 'fake-runtime line 6') ? found : undefined;
      });
      expect(logs?.lines).toEqual(expect.arrayContaining(['fake-runtime line 3', 'fake-runtime line 6']));
      const [tail] = await driver().logs(workload.name, { tailLines: 2 });
      expect(tail?.lines).toHaveLength(2);

      const abort = new AbortController();
      const followed: string[] = [];
      const numbers = () => followed.map((line) => Number(/^fake-runtime line (\d+)$/.exec(line)?.[1] ?? NaN)).filter((value) => !Number.isNaN(value));
      for await (const entry of driver().followLogs(workload.name, { tailLines: 1, signal: abort.signal })) {
        expect(entry.replica).toBe(logs?.replica);
        followed.push(entry.line);
        if (new Set(numbers()).size >= 4) abort.abort();
      }
      const seen = numbers();
      // The tail first, then lines written afterwards, in order and each once.
      expect(seen.length).toBeGreaterThanOrEqual(4);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('refuses a spec changed after it was rendered (its specHash no longer matches)', async () => {
      const workload = spec({});
      await expect(driver().apply({ ...workload, healthPath: '/other' })).rejects.toMatchObject({ statusCode: 400 });
      expect(await driver().status(workload.name)).toBeNull();
    });
  });
}
