import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeId } from '../../domain/optimization.js';
import {
  expandWorkloadTemplate,
  summarizeWorkload,
  WORKLOAD_HOST_VAR,
  WORKLOAD_PORT_VAR,
  WORKLOAD_REASONS,
  workloadSpecHash,
  workloadSpecSchema,
  type EventType,
  type LogLine,
  type ReplicaLogs,
  type ReplicaState,
  type ReplicaStatus,
  type WorkloadEndpoint,
  type WorkloadSpec,
  type WorkloadStatus,
} from '../../domain/workload.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { ClusterConnector } from '../cluster-connector.js';
import type { ApplyResult, ClusterDriver, FollowLogOptions, LogOptions, WorkloadSummary } from '../cluster-driver.js';
import { crashesAfterExit, DEFAULT_BACKOFF, isCrashLoop, restartDelayMs, type BackoffPolicy } from './backoff.js';
import { createEventLog, type EventLog } from './event-log.js';
import { createLocalConnector, runNvidiaSmi } from './local-connector.js';
import { fileSize, readAppended, readLastLines, rotateIfLarge } from './log-files.js';
import { checkHealth, findFreePort, isRunning, readProcessIdentity, runtimeEnvironment, sameProcess, signalGroup } from './process-tools.js';
import { defaultSelfCommand, resolveProgram, type SelfCommand } from './runtime-program.js';
import { secretEnvironment, type ResolveSecret } from './secret-env.js';
import { newReplicaToken, tokenEnvironment, tokenHeaders } from './replica-token.js';
import { loadWorkloadStates, removeWorkloadDir, STATE_FILE, writeJsonAtomic, type PersistedReplica, type PersistedWorkload } from './state-store.js';
import { checkHostRuntimeEnv, describeEnvIssues, type RuntimeEnvDocs } from '../../domain/runtime-env-policy.js';
import { prepareReplicaHome, protectDataDir } from './data-dir-access.js';
import { replicaAccessProblems, resolveRuntimeUser, type RuntimeUser } from './runtime-user.js';

/** Replicas bind here: the host driver's runtimes are reached through H-MAS, not from outside. */
export const LOCAL_HOST = '127.0.0.1';

export interface LocalDriverTiming {
  backoff: BackoffPolicy;
  /** Health checks while a replica starts (or is unready). */
  healthIntervalMs: number;
  /** Health checks of a ready replica (and, for adopted processes, how soon an exit is noticed). */
  readyCheckIntervalMs: number;
  healthTimeoutMs: number;
  /** Failed checks in a row before a ready replica is unready. */
  unhealthyAfter: number;
  /** Time between SIGTERM and SIGKILL when stopping. */
  stopGraceMs: number;
  /** A replica's log is moved aside (one old file kept) when a run starts past this size. */
  maxLogBytes: number;
  /** How often `followLogs` looks for new lines. */
  logPollMs: number;
}

export const DEFAULT_LOCAL_TIMING: Readonly<LocalDriverTiming> = Object.freeze({
  backoff: DEFAULT_BACKOFF,
  healthIntervalMs: 1000,
  readyCheckIntervalMs: 5000,
  healthTimeoutMs: 2000,
  unhealthyAfter: 3,
  stopGraceMs: 10_000,
  maxLogBytes: 10 * 1024 * 1024,
  logPollMs: 250,
});

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
  timing?: Partial<Omit<LocalDriverTiming, 'backoff'>> & { backoff?: Partial<BackoffPolicy> };
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
}

interface Timers {
  monitor?: NodeJS.Timeout;
  deadline?: NodeJS.Timeout;
  restart?: NodeJS.Timeout;
  grace?: NodeJS.Timeout;
}

interface Replica {
  id: string;
  index: number;
  spec: WorkloadSpec;
  logFile: string;
  state: ReplicaState;
  pid: number | null;
  port: number | null;
  gpus: number[] | null;
  argv: string[];
  /** Its API key (replica-token.ts); null until it first starts, or for a replica adopted from before tokens. */
  token: string | null;
  startTime: string | null;
  /** Our own child; null for a process adopted from an earlier server (watched by polling). */
  child: ChildProcess | null;
  startedAt: number | null;
  readyAt: number | null;
  restarts: number;
  /** Consecutive crashes (for the back-off). */
  crashes: number;
  lastExitCode: number | null;
  lastSignal: string | null;
  lastTerminationReason: string | null;
  reason: string | null;
  message: string | null;
  lastHealth: string | null;
  healthFailures: number;
  /** Increases with every start; callbacks of an earlier run see a different number and do nothing. */
  attempt: number;
  stopRequested: boolean;
  stopWaiters: Array<() => void>;
  timers: Timers;
}

interface Workload {
  name: string;
  dir: string;
  spec: WorkloadSpec;
  desired: number;
  replicas: Map<string, Replica>;
  events: EventLog;
  removed: boolean;
  removal: Promise<void> | null;
  /** Replicas that could not start at all are tried again on the next reconcile. */
  retryFailed: boolean;
  reconciling: boolean;
  dirty: boolean;
  persistChain: Promise<void>;
  persistQueued: boolean;
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`);

export function replicaId(name: string, specHash: string, index: number): string {
  return `${name}-${specHash.slice(0, 6)}-${index}`;
}

export function createLocalDriver(deps: LocalDriverDeps): LocalDriver {
  const timing: LocalDriverTiming = {
    ...DEFAULT_LOCAL_TIMING,
    ...deps.timing,
    backoff: { ...DEFAULT_BACKOFF, ...deps.timing?.backoff },
  };
  const now = deps.now ?? (() => new Date());
  const nowMs = () => now().getTime();
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((timer) => clearTimeout(timer));
  const stateDir = deps.stateDir ?? path.join(deps.dataDir, 'workloads');
  const log = deps.logger.child({ component: 'local-driver' });
  const baseEnv = runtimeEnvironment(deps.env);
  const selfCommand = deps.selfCommand === undefined ? defaultSelfCommand() : deps.selfCommand;
  const binaryPaths = deps.binaryPaths ?? {};
  const nvidiaSmiCommand = deps.nvidiaSmiCommand ?? 'nvidia-smi';
  const connector = deps.connector ?? createLocalConnector({ nvidiaSmiCommand, timeoutMs: 10_000, now });
  // GPUs rarely change: nvidia-smi is asked at most once a minute.
  let gpuCache: { at: number; indices: Promise<number[]> } | null = null;
  const hostGpus = (): Promise<number[]> => {
    if (deps.gpuIndices) return deps.gpuIndices();
    if (!gpuCache || nowMs() - gpuCache.at > 60_000) {
      gpuCache = { at: nowMs(), indices: runNvidiaSmi(nvidiaSmiCommand, 10_000).then((smi) => (smi.state === 'ok' ? smi.gpus.map((gpu) => gpu.index) : [])) };
    }
    return gpuCache.indices;
  };
  // A server restricted to some GPUs (CUDA_VISIBLE_DEVICES=2,3) gives replicas only those.
  const allowedGpus = /^\d+(,\d+)*$/.test(baseEnv.CUDA_VISIBLE_DEVICES ?? '') ? new Set((baseEnv.CUDA_VISIBLE_DEVICES ?? '').split(',').map(Number)) : null;

  const workloads = new Map<string, Workload>();
  // Resolved by start(); until then no replica starts.
  let runUser: RuntimeUser = { switching: false, reason: 'not resolved yet' };
  let closed = false;
  let started: Promise<void> | null = null;

  const schedule = (fn: () => void, ms: number): NodeJS.Timeout => {
    const timer = setTimer(fn, Math.max(0, ms));
    timer.unref?.();
    return timer;
  };
  const cancel = (timers: Timers, ...names: Array<keyof Timers>) => {
    for (const name of names) {
      const timer = timers[name];
      if (timer) clearTimer(timer);
      delete timers[name];
    }
  };
  const cancelAll = (replica: Replica) => cancel(replica.timers, 'monitor', 'deadline', 'restart', 'grace');

  function record(workload: Workload, type: EventType, reason: string, message: string, replica?: Replica): void {
    workload.events.record(type, reason, message, replica ? { kind: 'Replica', name: replica.id } : { kind: 'Workload', name: workload.name });
    const fields = { workload: workload.name, replica: replica?.id, reason };
    if (type === 'Warning') log.warn(fields, message);
    else log.debug(fields, message);
  }

  // ------------------------------------------------------------------------------------------
  // Persistence

  function snapshot(workload: Workload): PersistedWorkload {
    const replicas = [...workload.replicas.values()].filter((replica) => replica.state !== 'stopped');
    const olderSpecs: Record<string, WorkloadSpec> = {};
    for (const replica of replicas) {
      if (replica.spec.specHash !== workload.spec.specHash) olderSpecs[replica.spec.specHash] = replica.spec;
    }
    return {
      version: 1,
      spec: workload.spec,
      olderSpecs,
      replicas: replicas.map(
        (replica): PersistedReplica => ({
          id: replica.id,
          index: replica.index,
          specHash: replica.spec.specHash,
          state: replica.state,
          pid: replica.pid,
          port: replica.port,
          gpus: replica.gpus,
          argv: replica.argv,
          token: replica.token,
          startTime: replica.startTime,
          startedAt: replica.startedAt === null ? null : new Date(replica.startedAt).toISOString(),
          readyAt: replica.readyAt === null ? null : new Date(replica.readyAt).toISOString(),
          restarts: replica.restarts,
          crashes: replica.crashes,
          lastExitCode: replica.lastExitCode,
          lastSignal: replica.lastSignal,
          lastTerminationReason: replica.lastTerminationReason,
          reason: replica.reason,
          message: replica.message,
        }),
      ),
      events: workload.events.all(),
    };
  }

  /** Writes the workload's state; writes never overlap and a queued write takes the newest state. */
  function persist(workload: Workload): Promise<void> {
    // A closed driver writes nothing new: a newer driver may own the state by now.
    if (workload.persistQueued || closed) return workload.persistChain;
    workload.persistQueued = true;
    workload.persistChain = workload.persistChain
      .then(async () => {
        workload.persistQueued = false;
        if (workload.removed) return;
        await writeJsonAtomic(path.join(workload.dir, STATE_FILE), snapshot(workload));
      })
      .catch((error: unknown) => log.error({ err: error, workload: workload.name }, 'could not save the workload state'));
    return workload.persistChain;
  }

  // ------------------------------------------------------------------------------------------
  // Reconciling: decides which replicas to start and stop. Synchronous: every decision sees the
  // state as it is, and everything slow (spawning, stopping) reports back by calling kick again.

  function kick(workload: Workload): void {
    if (closed || workload.removed) return;
    if (workload.reconciling) {
      workload.dirty = true;
      return;
    }
    workload.reconciling = true;
    try {
      do {
        workload.dirty = false;
        reconcile(workload);
      } while (workload.dirty && !closed && !workload.removed);
    } finally {
      workload.reconciling = false;
    }
    void persist(workload);
  }

  function reconcile(workload: Workload): void {
    const wanted = workload.desired;
    const hash = workload.spec.specHash;
    const all = [...workload.replicas.values()];
    const live = all.filter((replica) => replica.state !== 'stopping' && replica.state !== 'stopped');
    const current = live.filter((replica) => replica.spec.specHash === hash);
    const old = live.filter((replica) => replica.spec.specHash !== hash);

    for (const replica of current) if (replica.index >= wanted) void stopReplica(workload, replica, `scaled to ${wanted}`);
    const kept = current.filter((replica) => replica.index < wanted);

    if (workload.retryFailed) {
      workload.retryFailed = false;
      for (const replica of kept) {
        if (replica.state === 'failed' && replica.pid === null) {
          replica.restarts += 1;
          void launch(workload, replica);
        }
      }
    }

    const taken = new Set(kept.map((replica) => replica.index));
    // A stopping replica of the same spec and index still holds the id: wait for it to go.
    const missing = Array.from({ length: wanted }, (_, index) => index).filter(
      (index) => !taken.has(index) && !workload.replicas.has(replicaId(workload.name, hash, index)),
    );
    const startMissing = (count: number) => {
      for (const index of missing.slice(0, count)) createReplica(workload, index);
    };

    if (old.length === 0) {
      if (workload.spec.strategy === 'Recreate' && all.some((replica) => replica.spec.specHash !== hash)) return;
      startMissing(missing.length);
      return;
    }
    if (workload.spec.strategy === 'Recreate' || wanted === 0) {
      for (const replica of old) void stopReplica(workload, replica, 'replaced by a new spec');
      return;
    }
    // RollingUpdate, one at a time: an old replica goes once a new one serves in its place, so
    // the number serving never drops below the replica count.
    for (const replica of old) if (replica.state !== 'ready') void stopReplica(workload, replica, 'replaced by a new spec');
    const readyOld = old.filter((replica) => replica.state === 'ready').sort((a, b) => b.index - a.index);
    const readyNew = kept.filter((replica) => replica.state === 'ready');
    let excess = readyOld.length + readyNew.length - wanted;
    let remainingOld = readyOld.length;
    for (const replica of readyOld) {
      if (excess <= 0) break;
      void stopReplica(workload, replica, 'replaced by a new spec');
      excess -= 1;
      remainingOld -= 1;
    }
    if (remainingOld === 0) startMissing(missing.length);
    else if (kept.every((replica) => replica.state === 'ready')) startMissing(1);
  }

  function createReplica(workload: Workload, index: number): void {
    const id = replicaId(workload.name, workload.spec.specHash, index);
    const replica: Replica = {
      id,
      index,
      spec: workload.spec,
      logFile: path.join(workload.dir, `${id}.log`),
      state: 'starting',
      pid: null,
      port: null,
      gpus: null,
      argv: [],
      token: null,
      startTime: null,
      child: null,
      startedAt: null,
      readyAt: null,
      restarts: 0,
      crashes: 0,
      lastExitCode: null,
      lastSignal: null,
      lastTerminationReason: null,
      reason: null,
      message: null,
      lastHealth: null,
      healthFailures: 0,
      attempt: 0,
      stopRequested: false,
      stopWaiters: [],
      timers: {},
    };
    workload.replicas.set(id, replica);
    void launch(workload, replica);
  }

  // ------------------------------------------------------------------------------------------
  // One run of a replica

  function usedPorts(except: Replica): Set<number> {
    const ports = new Set<number>();
    for (const workload of workloads.values()) {
      for (const replica of workload.replicas.values()) if (replica !== except && replica.port !== null) ports.add(replica.port);
    }
    return ports;
  }

  function fail(workload: Workload, replica: Replica, reason: string, message: string): void {
    replica.state = 'failed';
    replica.pid = null;
    replica.child = null;
    replica.reason = reason;
    replica.message = message;
    record(workload, 'Warning', reason, message, replica);
    kick(workload);
  }

  /**
   * GPUs for a replica whose spec asks for some: the ones it had if they are still free, else
   * the lowest free ones. Null (no pinning) when the spec asks for none or the host reports none.
   */
  async function assignGpus(replica: Replica): Promise<{ ok: true } | { ok: false; message: string }> {
    const wanted = replica.spec.resources.gpuCount;
    const host = wanted === 0 ? [] : (await hostGpus()).filter((index) => allowedGpus === null || allowedGpus.has(index));
    // From here on nothing awaits: two replicas starting at once cannot pick the same GPUs.
    if (host.length === 0) {
      replica.gpus = null;
      return { ok: true };
    }
    const held = new Set<number>();
    for (const workload of workloads.values()) {
      for (const other of workload.replicas.values()) {
        const holds = other.state !== 'stopped' && !(other.state === 'failed' && other.pid === null);
        if (other !== replica && other.gpus !== null && holds) other.gpus.forEach((index) => held.add(index));
      }
    }
    const free = host.filter((index) => !held.has(index));
    if (replica.gpus !== null && replica.gpus.length === wanted && replica.gpus.every((index) => free.includes(index))) return { ok: true };
    if (free.length < wanted) {
      replica.gpus = null;
      return { ok: false, message: `Needs ${wanted} GPU(s); ${free.length} of the host's ${host.length} are free (the others are held by other replicas).` };
    }
    replica.gpus = free.slice(0, wanted);
    return { ok: true };
  }

  async function launch(workload: Workload, replica: Replica): Promise<void> {
    replica.attempt += 1;
    const attempt = replica.attempt;
    const stale = () => closed || workload.removed || replica.stopRequested || replica.attempt !== attempt;
    cancel(replica.timers, 'restart', 'deadline', 'monitor');
    // A replica in a crash loop stays reported so until it is ready again.
    replica.state = isCrashLoop(replica.crashes, timing.backoff) ? 'crashloop' : 'starting';
    replica.pid = null;
    replica.readyAt = null;
    replica.healthFailures = 0;
    replica.lastHealth = null;
    if (replica.lastTerminationReason === null) {
      replica.reason = null;
      replica.message = null;
    }
    try {
      const docs = deps.runtimeEnv?.(replica.spec.runtime);
      // Variables the adapter renders from the address are in the spec too: only its users' are refused.
      const refused = checkHostRuntimeEnv([...Object.keys(replica.spec.env), ...Object.keys(replica.spec.secretEnv ?? {})], { displayName: replica.spec.runtime, env: docs ? { ...docs, reserved: [] } : null });
      if (refused.length > 0) return fail(workload, replica, WORKLOAD_REASONS.failedToStart, `Replica ${replica.id} was not started: ${describeEnvIssues(refused)}`);
      const program = await resolveProgram(replica.spec, { selfCommand, binaryPaths, pathVariable: baseEnv.PATH });
      if (stale()) return;
      if (!program.ok) return fail(workload, replica, program.reason, program.message);
      if (runUser.switching) {
        const problems = await replicaAccessProblems(runUser, { file: program.file, args: program.args, modelPath: 'path' in replica.spec.model ? replica.spec.model.path : null });
        if (stale()) return;
        if (problems.length > 0) return fail(workload, replica, WORKLOAD_REASONS.failedToStart, `Replica ${replica.id} cannot start: ${problems.join('; ')}. Make it readable by that user (HMAS_RUNTIME_USER).`);
      }

      const gpus = await assignGpus(replica);
      if (stale()) return;
      if (!gpus.ok) return fail(workload, replica, WORKLOAD_REASONS.insufficientGpu, gpus.message);

      const port = await findFreePort(LOCAL_HOST, replica.port, usedPorts(replica));
      if (stale()) return;
      replica.port = port;
      const vars = { [WORKLOAD_HOST_VAR]: LOCAL_HOST, [WORKLOAD_PORT_VAR]: String(port) };
      const args = [...program.args, ...replica.spec.command.args.map((arg) => expandWorkloadTemplate(arg, vars))];
      // The spec's variables first: what H-MAS sets (address, GPUs, home) always wins.
      const env: Record<string, string> = { ...baseEnv };
      for (const [name, value] of Object.entries(replica.spec.env)) env[name] = expandWorkloadTemplate(value, vars);
      const secrets = await secretEnvironment(replica.spec, deps.resolveSecret);
      if (stale()) return;
      if (!secrets.ok) return fail(workload, replica, WORKLOAD_REASONS.configError, secrets.message);
      Object.assign(env, secrets.env, vars);
      if (replica.gpus !== null) {
        // CUDA numbers GPUs fastest-first unless told to use nvidia-smi's (PCI bus) order.
        env.CUDA_DEVICE_ORDER = 'PCI_BUS_ID';
        env.CUDA_VISIBLE_DEVICES = replica.gpus.join(',');
      }
      if (replica.spec.apiKeyEnv !== null) replica.token ??= newReplicaToken();
      Object.assign(env, tokenEnvironment(replica.spec, replica.token));

      await mkdir(workload.dir, { recursive: true, mode: 0o700 });
      let cwd = workload.dir;
      if (runUser.switching) {
        await protectDataDir(deps.dataDir, { traversable: true });
        cwd = await prepareReplicaHome(stateDir, workload.dir, runUser);
        Object.assign(env, { HOME: cwd, USER: runUser.name, LOGNAME: runUser.name });
      }
      await rotateIfLarge(replica.logFile, timing.maxLogBytes);
      const output = await open(replica.logFile, 'a', 0o600);
      try {
        if (stale()) return;
        // Everything from spawn to the listeners runs without awaiting, so no exit goes unseen.
        spawnReplica(workload, replica, attempt, { file: program.file, args, env, cwd }, port, output.fd);
      } finally {
        await output.close();
      }
    } catch (error) {
      if (stale()) return;
      log.error({ err: error, workload: workload.name, replica: replica.id }, 'replica start failed');
      fail(workload, replica, WORKLOAD_REASONS.failedToStart, `Could not start replica ${replica.id}: ${(error as Error).message}`);
    }
  }

  function spawnReplica(workload: Workload, replica: Replica, attempt: number, run: { file: string; args: string[]; env: Record<string, string>; cwd: string }, port: number, outputFd: number): void {
    const { file, args, env, cwd } = run;
    // As the runtime user: libuv drops the supplementary groups (setgroups(0)) before setgid/setuid.
    const identity = runUser.switching ? { uid: runUser.uid, gid: runUser.gid } : {};
    let child: ChildProcess;
    try {
      // Detached: the replica leads its own process group and outlives a server restart. Its
      // output goes straight to its log file, so an adopted replica still has logs.
      child = spawn(file, args, { cwd, env, detached: true, stdio: ['ignore', outputFd, outputFd], windowsHide: true, ...identity });
    } catch (error) {
      return fail(workload, replica, WORKLOAD_REASONS.failedToStart, `${file} could not be started: ${(error as Error).message}`);
    }
    child.unref();
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (replica.attempt !== attempt || closed || child.pid !== undefined) return;
      const reason = error.code === 'ENOENT' || error.code === 'EACCES' ? WORKLOAD_REASONS.binaryNotFound : WORKLOAD_REASONS.failedToStart;
      fail(workload, replica, reason, `${file} could not be started: ${error.code ?? error.message}.`);
    });
    const pid = child.pid;
    if (pid === undefined) return;
    child.once('exit', (code, signal) => onExit(workload, replica, attempt, code, signal, false));
    replica.child = child;
    replica.pid = pid;
    replica.argv = [file, ...args];
    replica.startTime = null;
    replica.startedAt = nowMs();
    record(workload, 'Normal', 'Started', `Started replica ${replica.id} on port ${port}`, replica);
    void readProcessIdentity(pid).then((identity) => {
      if (replica.attempt === attempt && replica.pid === pid) {
        replica.startTime = identity.startTime;
        void persist(workload);
      }
    });
    replica.timers.deadline = schedule(() => onDeadline(workload, replica, attempt), replica.spec.progressDeadlineSeconds * 1000);
    watch(workload, replica, attempt, Math.min(100, timing.healthIntervalMs));
    void persist(workload);
  }

  function onDeadline(workload: Workload, replica: Replica, attempt: number): void {
    delete replica.timers.deadline;
    if (closed || replica.attempt !== attempt || replica.stopRequested || replica.state !== 'starting') return;
    const limit = seconds(replica.spec.progressDeadlineSeconds * 1000);
    replica.state = 'failed';
    replica.reason = WORKLOAD_REASONS.progressDeadline;
    replica.message = `Not ready within ${limit}: GET ${replica.spec.healthPath} on port ${replica.port ?? '?'} answered ${replica.lastHealth ?? 'nothing'}.`;
    // The process keeps running (as a Kubernetes pod would): it becomes ready if it gets there.
    record(workload, 'Warning', WORKLOAD_REASONS.progressDeadline, `Replica ${replica.id} did not become ready within ${limit}`, replica);
    kick(workload);
  }

  /** Health checks, and for adopted processes the check that they still run. */
  function watch(workload: Workload, replica: Replica, attempt: number, delayMs: number): void {
    cancel(replica.timers, 'monitor');
    replica.timers.monitor = schedule(() => {
      delete replica.timers.monitor;
      void check(workload, replica, attempt);
    }, delayMs);
  }

  async function check(workload: Workload, replica: Replica, attempt: number): Promise<void> {
    const stale = () => closed || replica.attempt !== attempt || replica.pid === null;
    if (stale()) return;
    const pid = replica.pid as number;
    if (!replica.child && !(await isRunning(pid))) {
      if (replica.attempt === attempt && replica.pid === pid) onExit(workload, replica, attempt, null, null, true);
      return;
    }
    if (stale()) return;
    if (replica.state === 'stopping') return watch(workload, replica, attempt, 100);

    const result = await checkHealth(`http://${LOCAL_HOST}:${replica.port}${replica.spec.healthPath}`, timing.healthTimeoutMs, tokenHeaders(replica.token));
    if (stale() || replica.stopRequested) return;
    replica.lastHealth = result.detail;
    if (result.ok) {
      replica.healthFailures = 0;
      if (replica.state !== 'ready') {
        replica.state = 'ready';
        replica.readyAt = nowMs();
        replica.reason = null;
        replica.message = null;
        cancel(replica.timers, 'deadline');
        record(workload, 'Normal', 'Ready', `Replica ${replica.id} is ready on port ${replica.port}`, replica);
        kick(workload);
      }
    } else if (replica.state === 'ready') {
      replica.healthFailures += 1;
      if (replica.healthFailures >= timing.unhealthyAfter) {
        replica.state = 'unready';
        replica.readyAt = null;
        replica.reason = WORKLOAD_REASONS.unhealthy;
        replica.message = `GET ${replica.spec.healthPath} failed ${replica.healthFailures} times in a row: ${result.detail}.`;
        record(workload, 'Warning', WORKLOAD_REASONS.unhealthy, `Readiness check of replica ${replica.id} failed: ${result.detail}`, replica);
        kick(workload);
      }
    }
    watch(workload, replica, attempt, replica.state === 'ready' ? timing.readyCheckIntervalMs : timing.healthIntervalMs);
  }

  function onExit(workload: Workload, replica: Replica, attempt: number, code: number | null, signal: NodeJS.Signals | null, unknownStatus: boolean): void {
    if (closed || replica.attempt !== attempt || replica.pid === null) return;
    const pid = replica.pid;
    const uptime = replica.startedAt === null ? 0 : nowMs() - replica.startedAt;
    cancel(replica.timers, 'monitor', 'deadline');
    replica.pid = null;
    replica.child = null;
    replica.readyAt = null;
    replica.lastExitCode = code;
    replica.lastSignal = signal;
    if (replica.stopRequested) return finishStop(workload, replica, pid);

    const oom = signal === 'SIGKILL' || code === 137;
    const how = unknownStatus
      ? 'stopped (exit status unknown: an earlier server started it)'
      : signal
        ? `was killed by ${signal}`
        : `exited with code ${code}`;
    replica.lastTerminationReason = oom ? WORKLOAD_REASONS.oomKilled : code === 0 ? WORKLOAD_REASONS.completed : WORKLOAD_REASONS.error;
    if (oom) {
      record(workload, 'Warning', WORKLOAD_REASONS.oomKilled, `Replica ${replica.id} ${how}: the kernel kills a process this way when memory runs out`, replica);
    } else {
      record(workload, 'Warning', 'Exited', `Replica ${replica.id} ${how}`, replica);
    }
    replica.crashes = crashesAfterExit(replica.crashes, uptime, timing.backoff);
    const delay = restartDelayMs(replica.crashes, timing.backoff);
    if (isCrashLoop(replica.crashes, timing.backoff)) {
      replica.state = 'crashloop';
      replica.reason = WORKLOAD_REASONS.crashLoop;
      replica.message = `Back-off ${seconds(delay)} restarting failed replica: it ${how} (${replica.crashes} crashes in a row).`;
      record(workload, 'Warning', WORKLOAD_REASONS.crashLoop, `Back-off restarting failed replica ${replica.id}`, replica);
    } else {
      replica.state = 'restarting';
      replica.reason = replica.lastTerminationReason;
      replica.message = `It ${how}; restarting in ${seconds(delay)}.`;
      record(workload, 'Warning', 'BackOff', `Back-off restarting failed replica ${replica.id}`, replica);
    }
    replica.timers.restart = schedule(() => {
      delete replica.timers.restart;
      if (closed || workload.removed || replica.stopRequested || replica.attempt !== attempt) return;
      replica.restarts += 1;
      void launch(workload, replica);
    }, delay);
    kick(workload);
  }

  function stopReplica(workload: Workload, replica: Replica, why: string): Promise<void> {
    if (replica.state === 'stopped') return Promise.resolve();
    const done = new Promise<void>((resolve) => replica.stopWaiters.push(resolve));
    if (replica.stopRequested) return done;
    replica.stopRequested = true;
    cancel(replica.timers, 'restart', 'deadline');
    const pid = replica.pid;
    if (pid === null) {
      finishStop(workload, replica, null);
      return done;
    }
    replica.state = 'stopping';
    record(workload, 'Normal', 'Killing', `Stopping replica ${replica.id}: ${why}`, replica);
    signalGroup(pid, 'SIGTERM');
    replica.timers.grace = schedule(() => {
      signalGroup(pid, 'SIGKILL');
      replica.timers.grace = schedule(() => {
        log.warn({ workload: workload.name, replica: replica.id, pid }, 'replica did not exit after SIGKILL; forgetting it');
        replica.pid = null;
        finishStop(workload, replica, null);
      }, 5000);
    }, timing.stopGraceMs);
    if (!replica.child) watch(workload, replica, replica.attempt, 100);
    return done;
  }

  function finishStop(workload: Workload, replica: Replica, pid: number | null): void {
    cancelAll(replica);
    // Helpers the runtime started in its group must not outlive it.
    if (pid !== null) signalGroup(pid, 'SIGKILL');
    replica.state = 'stopped';
    replica.pid = null;
    replica.child = null;
    workload.replicas.delete(replica.id);
    if (!workload.removed) {
      void unlink(replica.logFile).catch(() => undefined);
      void unlink(`${replica.logFile}.1`).catch(() => undefined);
    }
    for (const resolve of replica.stopWaiters.splice(0)) resolve();
    kick(workload);
    if (replica.gpus !== null) {
      // Its GPUs are free again: replicas that waited for GPUs try again.
      for (const other of workloads.values()) {
        if ([...other.replicas.values()].some((waiting) => waiting.reason === WORKLOAD_REASONS.insufficientGpu && waiting.pid === null)) {
          other.retryFailed = true;
          kick(other);
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Start-up: adopt what still runs

  /** A workload with no replicas yet, wanting `spec.replicas` of them. */
  function newWorkload(name: string, spec: WorkloadSpec, events: EventLog): Workload {
    return {
      name,
      dir: path.join(stateDir, name),
      spec,
      desired: spec.replicas,
      replicas: new Map(),
      events,
      removed: false,
      removal: null,
      retryFailed: false,
      reconciling: false,
      dirty: false,
      persistChain: Promise.resolve(),
      persistQueued: false,
    };
  }

  function restoredReplica(workload: Workload, spec: WorkloadSpec, saved: PersistedReplica): Replica {
    return {
      id: saved.id,
      index: saved.index,
      spec,
      logFile: path.join(workload.dir, `${saved.id}.log`),
      state: 'starting',
      pid: null,
      port: saved.port,
      gpus: saved.gpus,
      argv: saved.argv,
      token: saved.token,
      startTime: saved.startTime,
      child: null,
      startedAt: saved.startedAt === null ? null : Date.parse(saved.startedAt),
      readyAt: null,
      restarts: saved.restarts,
      crashes: saved.crashes,
      lastExitCode: saved.lastExitCode,
      lastSignal: saved.lastSignal,
      lastTerminationReason: saved.lastTerminationReason,
      reason: saved.reason,
      message: saved.message,
      lastHealth: null,
      healthFailures: 0,
      attempt: 1,
      stopRequested: false,
      stopWaiters: [],
      timers: {},
    };
  }

  async function recoverWorkload(name: string, saved: PersistedWorkload): Promise<void> {
    const workload = newWorkload(name, saved.spec, createEventLog({ now, initial: saved.events }));
    const toStop: Replica[] = [];
    const toStart: Replica[] = [];
    for (const entry of saved.replicas) {
      const spec = entry.specHash === saved.spec.specHash ? saved.spec : saved.olderSpecs[entry.specHash];
      if (!spec) continue;
      const replica = restoredReplica(workload, spec, entry);
      let adopted = false;
      let healthy = false;
      if (entry.pid !== null && (await isRunning(entry.pid))) {
        const same = sameProcess({ argv: entry.argv, startTime: entry.startTime }, await readProcessIdentity(entry.pid));
        healthy = entry.port !== null && (await checkHealth(`http://${LOCAL_HOST}:${entry.port}${spec.healthPath}`, timing.healthTimeoutMs, tokenHeaders(entry.token))).ok;
        // A live pid running something else is a reused pid: that process is left alone.
        adopted = same === 'yes' || (same === 'unknown' && healthy);
      }
      const isCurrent = spec.specHash === saved.spec.specHash;
      const wanted = isCurrent && entry.index < saved.spec.replicas && entry.state !== 'stopping';
      if (adopted) {
        replica.pid = entry.pid;
        workload.replicas.set(replica.id, replica);
        record(workload, 'Normal', 'Adopted', `Adopted replica ${replica.id}, still running after the server restarted`, replica);
        // A replica of the previous spec still serving: the rolling update goes on from here.
        const oldServing = !isCurrent && entry.state !== 'stopping' && healthy;
        if (!wanted && !oldServing) {
          toStop.push(replica);
        } else if (healthy) {
          replica.state = 'ready';
          replica.readyAt = entry.readyAt === null ? nowMs() : Date.parse(entry.readyAt);
          replica.reason = null;
          replica.message = null;
          watch(workload, replica, replica.attempt, timing.readyCheckIntervalMs);
        } else if (entry.state === 'ready' || entry.state === 'unready') {
          replica.state = 'unready';
          replica.reason = WORKLOAD_REASONS.unhealthy;
          replica.message = `GET ${spec.healthPath} does not answer since the server restarted.`;
          watch(workload, replica, replica.attempt, timing.healthIntervalMs);
        } else {
          const left = (replica.startedAt ?? nowMs()) + spec.progressDeadlineSeconds * 1000 - nowMs();
          replica.state = 'starting';
          replica.timers.deadline = schedule(() => onDeadline(workload, replica, replica.attempt), left);
          watch(workload, replica, replica.attempt, timing.healthIntervalMs);
        }
        continue;
      }
      if (!wanted) continue;
      workload.replicas.set(replica.id, replica);
      if (entry.pid !== null) {
        replica.restarts += 1;
        record(workload, 'Warning', 'Exited', `Replica ${replica.id} was not running after the server restarted; starting it again`, replica);
      }
      toStart.push(replica);
    }
    workloads.set(name, workload);
    for (const replica of toStart) void launch(workload, replica);
    for (const replica of toStop) void stopReplica(workload, replica, 'not wanted any more');
    kick(workload);
    await persist(workload);
  }

  async function recover(): Promise<void> {
    for (const loaded of await loadWorkloadStates(stateDir)) {
      if (!loaded.state) {
        log.warn({ workload: loaded.name, problem: loaded.problem }, 'workload state cannot be read; its replicas are left alone');
        continue;
      }
      try {
        await recoverWorkload(loaded.name, loaded.state);
      } catch (error) {
        log.error({ err: error, workload: loaded.name }, 'could not recover the workload');
      }
    }
  }

  async function resolveUser(): Promise<void> {
    runUser = await resolveRuntimeUser({ setting: deps.runtimeUser ?? 'nobody', serverUid: process.getuid?.() });
    if (runUser.switching) {
      log.info({ user: runUser.name, uid: runUser.uid, gid: runUser.gid }, 'replicas run as the runtime user');
      await protectDataDir(deps.dataDir, { traversable: true });
    } else {
      log.warn({ reason: runUser.reason }, 'replicas run as the server\'s own user: a runtime could read the data directory, including its secrets; run H-MAS as root with HMAS_RUNTIME_USER to separate them');
      await protectDataDir(deps.dataDir, { traversable: false });
    }
  }

  function start(): Promise<void> {
    started ??= resolveUser().then(recover);
    return started;
  }

  // ------------------------------------------------------------------------------------------
  // Reads

  function replicaStatus(replica: Replica): ReplicaStatus {
    return {
      id: replica.id,
      index: replica.index,
      specHash: replica.spec.specHash,
      state: replica.state,
      ready: replica.state === 'ready',
      pid: replica.pid,
      port: replica.port,
      gpus: replica.gpus,
      restarts: replica.restarts,
      lastExitCode: replica.lastExitCode,
      lastSignal: replica.lastSignal,
      lastTerminationReason: replica.lastTerminationReason,
      reason: replica.reason,
      message: replica.message,
      startedAt: replica.startedAt === null ? null : new Date(replica.startedAt).toISOString(),
      readyAt: replica.readyAt === null ? null : new Date(replica.readyAt).toISOString(),
    };
  }

  function sortedReplicas(workload: Workload, only?: string): Replica[] {
    return [...workload.replicas.values()]
      .filter((replica) => only === undefined || replica.id === only)
      .sort((a, b) => a.index - b.index || a.id.localeCompare(b.id));
  }

  async function live(name: string): Promise<Workload | undefined> {
    await start();
    const workload = workloads.get(name);
    return workload && !workload.removed ? workload : undefined;
  }

  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = schedule(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimer(timer);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  async function readyReplicas(name: string): Promise<Array<{ replica: Replica; origin: string }>> {
    const workload = await live(name);
    if (!workload) return [];
    return sortedReplicas(workload)
      .filter((replica) => replica.state === 'ready' && replica.port !== null)
      .map((replica) => ({ replica, origin: `http://${LOCAL_HOST}:${replica.port}` }));
  }

  async function* follow(name: string, options: FollowLogOptions): AsyncGenerator<LogLine> {
    const workload = await live(name);
    if (!workload) return;
    const offsets = new Map<string, number>();
    for (const replica of sortedReplicas(workload, options.replica)) {
      const end = await fileSize(replica.logFile);
      offsets.set(replica.id, end);
      for (const line of await readLastLines(replica.logFile, options.tailLines ?? 100, end)) yield { replica: replica.id, line };
    }
    const following = () => !closed && !options.signal?.aborted && workloads.get(name) === workload && !workload.removed;
    while (following()) {
      await sleep(timing.logPollMs, options.signal);
      if (!following()) return;
      for (const replica of sortedReplicas(workload, options.replica)) {
        const read = await readAppended(replica.logFile, offsets.get(replica.id) ?? 0);
        offsets.set(replica.id, read.offset);
        for (const line of read.lines) yield { replica: replica.id, line };
      }
    }
  }

  // ------------------------------------------------------------------------------------------

  return {
    kind: 'local',
    test: (signal) => connector.test(signal),
    inventory: (signal) => connector.inventory(signal),
    start,

    async apply(input: WorkloadSpec): Promise<ApplyResult> {
      await start();
      if (closed) throw new Error('The local driver is closed.');
      const parsed = workloadSpecSchema.safeParse(input);
      if (!parsed.success) throw new ValidationError(`Invalid workload spec: ${parsed.error.issues[0]?.message ?? 'unknown shape'}.`, { issues: parsed.error.issues });
      const spec = parsed.data;
      if (workloadSpecHash(spec) !== spec.specHash) throw new ValidationError('The workload spec does not match its specHash: render specs with renderWorkloadSpec and do not change them after.');

      const previous = workloads.get(spec.name);
      if (previous?.removal) await previous.removal;
      const workload = workloads.get(spec.name);
      if (!workload) {
        const created = newWorkload(spec.name, spec, createEventLog({ now }));
        workloads.set(spec.name, created);
        record(created, 'Normal', 'Created', `Created workload ${spec.name}: ${spec.replicas} replica(s) of ${spec.runtime}`);
        kick(created);
        await persist(created);
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
      await persist(workload);
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
      await persist(workload);
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
        await Promise.all([...workload.replicas.values()].map((replica) => stopReplica(workload, replica, 'workload removed')));
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
      if (closed) return;
      // A start-up in progress finishes first, so it leaves nothing half-adopted behind.
      if (started) await started.catch(() => undefined);
      closed = true;
      for (const workload of workloads.values()) for (const replica of workload.replicas.values()) cancelAll(replica);
      await Promise.all([...workloads.values()].map((workload) => workload.persistChain));
    },
  };
}
