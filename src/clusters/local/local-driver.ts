import path from 'node:path';
import { summarizeWorkload, workloadSpecHash, workloadSpecSchema, type LogLine, type ReplicaLogs, type WorkloadEndpoint, type WorkloadSpec, type WorkloadStatus } from '../../domain/workload.js';
import type { RuntimeId } from '../../domain/optimization.js';
import type { RuntimeEnvDocs } from '../../domain/runtime-env-policy.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { ClusterConnector } from '../cluster-connector.js';
import type { ApplyResult, ClusterDriver, ClusterWorkloadEvent, FollowLogOptions, LogOptions, WorkloadSummary } from '../cluster-driver.js';
import { protectDataDir } from './data-dir-access.js';
import { createDriverContext, LOCAL_HOST, type LocalTimingOverrides } from './driver-context.js';
import { createEventLog } from './event-log.js';
import { createGpuAllocator } from './gpu-allocator.js';
import { createLocalConnector } from './local-connector.js';
import { newWorkload, replicaStatus, sortedReplicas, type Replica, type Workload } from './local-workload.js';
import { followWorkloadLogs } from './log-follow.js';
import { readLastLines } from './log-files.js';
import { runtimeEnvironment } from './process-tools.js';
import { recoverWorkloads } from './recovery.js';
import { createReplicaSupervisor } from './replica-supervisor.js';
import { defaultSelfCommand, type SelfCommand } from './runtime-program.js';
import { resolveRuntimeUser } from './runtime-user.js';
import type { ResolveSecret } from './secret-env.js';
import { removeWorkloadDir } from './state-store.js';
import { createWorkloadReconciler } from './workload-reconciler.js';

export { DEFAULT_LOCAL_TIMING, LOCAL_HOST, type LocalDriverTiming, type LocalTimingOverrides } from './driver-context.js';
export { replicaId } from './local-workload.js';

/**
 * The local driver's facade: `ClusterDriver` for the host H-MAS runs on, composed of the shared
 * context (`driver-context.ts`), the replica supervisor (`replica-supervisor.ts`), the rollout
 * (`rollout-plan.ts`, carried out by `workload-reconciler.ts`) and recovery at start-up
 * (`recovery.ts`). See src/clusters/README.md.
 */

export interface LocalDriverDeps {
  /** H-MAS's data directory; workloads live in `<dataDir>/workloads/<name>/` unless `stateDir` says otherwise. */
  dataDir: string;
  stateDir?: string;
  logger: Logger;
  /**
   * The server's environment. Runtimes inherit only what they need from it (PATH, HOME, locale,
   * CUDA/NVIDIA variables, caches, proxies — see `runtimeEnvironment`), never H-MAS's secrets.
   */
  env: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
  setTimer?: (fn: () => void, ms: number) => NodeJS.Timeout;
  clearTimer?: (timer: NodeJS.Timeout) => void;
  /** How to run hmas itself for `self` commands (the embedded runtime); default: this installation's CLI. Null = not available. */
  selfCommand?: SelfCommand | null;
  /** Configured programs per runtime (HMAS_RUNTIME_BIN_*); others are looked up on PATH. */
  binaryPaths?: Readonly<Partial<Record<RuntimeId, string>>>;
  /**
   * Indices of the host's GPUs (nvidia-smi's numbering); default: asked of nvidia-smi
   * (`nvidiaSmiCommand`), none when it is absent. Replicas whose spec asks for GPUs get their own
   * through CUDA_VISIBLE_DEVICES.
   */
  gpuIndices?: () => Promise<number[]>;
  /** Answers `test` and `inventory`; default: the local host connector with `nvidiaSmiCommand`. */
  connector?: ClusterConnector;
  nvidiaSmiCommand?: string;
  /** Values of named secrets the spec's `secretEnv` refers to, read at each replica start. */
  resolveSecret?: ResolveSecret;
  timing?: LocalTimingOverrides;
  /**
   * HMAS_RUNTIME_USER: the user replicas run as when the server is root (`user` or `user:group`;
   * default `nobody`). Not root: replicas run as the server's user, with a warning at start.
   */
  runtimeUser?: string;
  /**
   * The environment variables each runtime documents (its adapter's `env`). Replicas whose spec
   * sets a loader hook or a variable H-MAS owns never start; with this, neither do ones whose
   * spec sets a variable the runtime does not document (outside the shared safe families).
   */
  runtimeEnv?: (runtime: RuntimeId) => RuntimeEnvDocs | undefined;
}

/** The host driver: each replica is a child process of its own on 127.0.0.1. */
export interface LocalDriver extends ClusterDriver {
  /**
   * Loads the saved workloads: adopts replicas still running (same process, per /proc) and
   * starts the rest again. Idempotent; every other method waits for it.
   */
  start(): Promise<void>;
  /**
   * Ready replicas as the gateway reaches them: `endpoints` with each replica's token. For the
   * gateway only; never shown to anyone.
   */
  upstreams(name: string): Promise<Array<{ url: string; token: string | null }>>;
  /** Every workload's events (from memory). */
  clusterEvents(since?: Date): Promise<ClusterWorkloadEvent[]>;
}

export function createLocalDriver(deps: LocalDriverDeps): LocalDriver {
  const ctx = createDriverContext({
    timing: deps.timing,
    stateDir: deps.stateDir ?? path.join(deps.dataDir, 'workloads'),
    log: deps.logger.child({ component: 'local-driver' }),
    now: deps.now,
    setTimer: deps.setTimer,
    clearTimer: deps.clearTimer,
  });
  const { now, log, record, workloads, stateDir } = ctx;
  const baseEnv = runtimeEnvironment(deps.env);
  const nvidiaSmiCommand = deps.nvidiaSmiCommand ?? 'nvidia-smi';
  const connector = deps.connector ?? createLocalConnector({ nvidiaSmiCommand, timeoutMs: 10_000, now });
  const supervisor = createReplicaSupervisor({
    ctx,
    dataDir: deps.dataDir,
    baseEnv,
    selfCommand: deps.selfCommand === undefined ? defaultSelfCommand() : deps.selfCommand,
    binaryPaths: deps.binaryPaths ?? {},
    resolveSecret: deps.resolveSecret,
    runtimeEnv: deps.runtimeEnv,
    gpus: createGpuAllocator({ workloads, gpuIndices: deps.gpuIndices, nvidiaSmiCommand, visibleDevices: baseEnv.CUDA_VISIBLE_DEVICES, nowMs: ctx.nowMs }),
    changed: kick,
  });
  const reconciler = createWorkloadReconciler(ctx, supervisor);
  let started: Promise<void> | null = null;

  function kick(workload: Workload): void {
    reconciler.kick(workload);
  }

  async function resolveUser(): Promise<void> {
    const runUser = await resolveRuntimeUser({ setting: deps.runtimeUser ?? 'nobody', serverUid: process.getuid?.() });
    ctx.runUser = runUser;
    if (runUser.switching) {
      log.info({ user: runUser.name, uid: runUser.uid, gid: runUser.gid }, 'replicas run as the runtime user');
      await protectDataDir(deps.dataDir, { traversable: true });
    } else {
      log.warn({ reason: runUser.reason }, 'replicas run as the server\'s own user: a runtime could read the data directory, including its secrets; run H-MAS as root with HMAS_RUNTIME_USER to separate them');
      await protectDataDir(deps.dataDir, { traversable: false });
    }
  }

  function start(): Promise<void> {
    started ??= resolveUser().then(() => recoverWorkloads({ ctx, supervisor, kick }));
    return started;
  }

  async function live(name: string): Promise<Workload | undefined> {
    await start();
    const workload = workloads.get(name);
    return workload && !workload.removed ? workload : undefined;
  }

  async function readyReplicas(name: string): Promise<Array<{ replica: Replica; origin: string }>> {
    const workload = await live(name);
    if (!workload) return [];
    return sortedReplicas(workload)
      .filter((replica) => replica.state === 'ready' && replica.port !== null)
      .map((replica) => ({ replica, origin: `http://${LOCAL_HOST}:${replica.port}` }));
  }

  async function* follow(name: string, options: FollowLogOptions): AsyncGenerator<LogLine> {
    const workload = await live(name);
    if (workload) yield* followWorkloadLogs(ctx, workload, options);
  }

  return {
    kind: 'local',
    test: (signal) => connector.test(signal),
    inventory: (signal) => connector.inventory(signal),
    start,

    async apply(input: WorkloadSpec): Promise<ApplyResult> {
      await start();
      if (ctx.closed) throw new Error('The local driver is closed.');
      const parsed = workloadSpecSchema.safeParse(input);
      if (!parsed.success) throw new ValidationError(`Invalid workload spec: ${parsed.error.issues[0]?.message ?? 'unknown shape'}.`, { issues: parsed.error.issues });
      const spec = parsed.data;
      if (workloadSpecHash(spec) !== spec.specHash) throw new ValidationError('The workload spec does not match its specHash: render specs with renderWorkloadSpec and do not change them after.');

      const previous = workloads.get(spec.name);
      if (previous?.removal) await previous.removal;
      const workload = workloads.get(spec.name);
      if (!workload) {
        const created = newWorkload(stateDir, spec.name, spec, createEventLog({ now }));
        workloads.set(spec.name, created);
        record(created, 'Normal', 'Created', `Created workload ${spec.name}: ${spec.replicas} replica(s) of ${spec.runtime}`);
        kick(created);
        await ctx.persist(created);
        return { action: 'created', specHash: spec.specHash };
      }

      let action: ApplyResult['action'];
      if (workload.spec.specHash === spec.specHash) {
        workload.retryFailed = true;
        if (workload.desired === spec.replicas) {
          action = 'unchanged';
        } else {
          record(workload, 'Normal', 'Scaled', `Scaled from ${workload.desired} to ${spec.replicas} replica(s)`);
          action = 'scaled';
        }
      } else {
        record(workload, 'Normal', 'Updated', `Spec changed (${workload.spec.specHash} → ${spec.specHash}): replacing replicas (${spec.strategy})`);
        action = 'updated';
      }
      workload.spec = spec;
      workload.desired = spec.replicas;
      kick(workload);
      await ctx.persist(workload);
      return { action, specHash: spec.specHash };
    },

    async scale(name, replicas) {
      if (!Number.isInteger(replicas) || replicas < 0 || replicas > 1024) throw new ValidationError('replicas must be a whole number from 0 to 1024.');
      const workload = await live(name);
      if (!workload) throw new NotFoundError('workload', name);
      if (workload.desired === replicas) return;
      record(workload, 'Normal', 'Scaled', `Scaled from ${workload.desired} to ${replicas} replica(s)`);
      workload.desired = replicas;
      workload.spec = { ...workload.spec, replicas };
      kick(workload);
      await ctx.persist(workload);
    },

    async remove(name) {
      await start();
      const workload = workloads.get(name);
      if (!workload) return { removed: false };
      if (workload.removal) {
        await workload.removal;
        return { removed: false };
      }
      workload.removed = true;
      workload.removal = (async () => {
        await Promise.all([...workload.replicas.values()].map((replica) => supervisor.stop(workload, replica, 'workload removed')));
        await workload.persistChain;
        await removeWorkloadDir(stateDir, name);
        workloads.delete(name);
      })();
      await workload.removal;
      return { removed: true };
    },

    async status(name): Promise<WorkloadStatus | null> {
      const workload = await live(name);
      if (!workload) return null;
      const replicaStatuses = sortedReplicas(workload).map(replicaStatus);
      return {
        name: workload.name,
        deploymentId: workload.spec.deploymentId,
        specHash: workload.spec.specHash,
        ...summarizeWorkload(workload.desired, workload.spec.specHash, replicaStatuses),
        replicaStatuses,
        observedAt: now().toISOString(),
      };
    },

    async events(name, since) {
      const workload = await live(name);
      return workload ? workload.events.since(since) : [];
    },

    async clusterEvents(since) {
      await start();
      return [...workloads.values()]
        .filter((workload) => !workload.removed)
        .flatMap((workload) => workload.events.since(since).map((event) => ({ ...event, workload: workload.name })));
    },

    async logs(name, options: LogOptions = {}): Promise<ReplicaLogs[]> {
      const workload = await live(name);
      if (!workload) return [];
      return Promise.all(
        sortedReplicas(workload, options.replica).map(async (replica) => ({ replica: replica.id, lines: await readLastLines(replica.logFile, options.tailLines ?? 100) })),
      );
    },

    followLogs(name, options = {}) {
      return follow(name, options);
    },

    async endpoints(name): Promise<WorkloadEndpoint[]> {
      return (await readyReplicas(name)).map(({ replica, origin }) => ({ replica: replica.id, url: `${origin}${replica.spec.openaiBasePath}`, origin }));
    },

    async upstreams(name) {
      return (await readyReplicas(name)).map(({ replica, origin }) => ({ url: `${origin}${replica.spec.openaiBasePath}`, token: replica.token }));
    },

    async list(): Promise<WorkloadSummary[]> {
      await start();
      return [...workloads.values()]
        .filter((workload) => !workload.removed)
        .map((workload) => ({ name: workload.name, deploymentId: workload.spec.deploymentId, specHash: workload.spec.specHash, replicas: workload.desired }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    async close() {
      if (ctx.closed) return;
      // A start-up in progress finishes first, so it leaves nothing half-adopted behind.
      if (started) await started.catch(() => undefined);
      ctx.closed = true;
      for (const workload of workloads.values()) for (const replica of workload.replicas.values()) ctx.cancelAll(replica);
      await Promise.all([...workloads.values()].map((workload) => workload.persistChain));
    },
  };
}
