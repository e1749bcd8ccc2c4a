import { spawn, type ChildProcess } from 'node:child_process';
import { open, unlink } from 'node:fs/promises';
import { WORKLOAD_REASONS } from '../../domain/workload.js';
import { crashesAfterExit, isCrashLoop, restartDelayMs } from './backoff.js';
import { LOCAL_HOST } from './driver-context.js';
import { rotateIfLarge } from './log-files.js';
import type { Replica, Workload } from './local-workload.js';
import { checkHealth, isRunning, readProcessIdentity, signalGroup } from './process-tools.js';
import { prepareReplicaRun, refusedEnvironment, type ReplicaRun, type ReplicaRunDeps } from './replica-run.js';
import { tokenHeaders } from './replica-token.js';

/**
 * The processes of the replicas, one replica at a time: starting a run, health checks
 * (ready/unready, the progress deadline), exits (restart with back-off, CrashLoopBackOff,
 * OOMKilled) and stopping. Which replicas should exist is the rollout's business: every change
 * it must see is reported through `changed`.
 */
export interface ReplicaSupervisor {
  /** Starts a run of the replica (again): a failure to start leaves it `failed` with the reason. */
  launch(workload: Workload, replica: Replica): Promise<void>;
  /** Stops the replica and forgets it; resolves once it is gone. Repeated calls wait for the same stop. */
  stop(workload: Workload, replica: Replica, why: string): Promise<void>;
  /** The next health check (for adopted processes also the check that they still run) in `delayMs`. */
  watch(workload: Workload, replica: Replica, attempt: number, delayMs: number): void;
  /** The progress deadline of a starting replica has passed: `failed`/ProgressDeadlineExceeded, the process left running. */
  onDeadline(workload: Workload, replica: Replica, attempt: number): void;
}

export interface ReplicaSupervisorDeps extends ReplicaRunDeps {
  /** A replica's state changed in a way the rollout must see (the driver plans again). */
  changed(workload: Workload): void;
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`);

export function createReplicaSupervisor(deps: ReplicaSupervisorDeps): ReplicaSupervisor {
  const { ctx, changed } = deps;
  const { timing, log, record, schedule, cancel } = ctx;

  function fail(workload: Workload, replica: Replica, reason: string, message: string): void {
    replica.state = 'failed';
    replica.pid = null;
    replica.child = null;
    replica.reason = reason;
    replica.message = message;
    record(workload, 'Warning', reason, message, replica);
    changed(workload);
  }

  async function launch(workload: Workload, replica: Replica): Promise<void> {
    replica.attempt += 1;
    const attempt = replica.attempt;
    const stale = () => ctx.closed || workload.removed || replica.stopRequested || replica.attempt !== attempt;
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
      const refused = refusedEnvironment(deps, replica);
      if (refused !== null) return fail(workload, replica, WORKLOAD_REASONS.failedToStart, refused);
      const prepared = await prepareReplicaRun(deps, workload, replica, stale);
      if (prepared === null) return;
      if (!prepared.ok) return fail(workload, replica, prepared.reason, prepared.message);
      await rotateIfLarge(replica.logFile, timing.maxLogBytes);
      // A removal may be deleting the workload's directory now: create nothing in it.
      if (stale()) return;
      const output = await open(replica.logFile, 'a', 0o600);
      try {
        if (stale()) return;
        // Everything from spawn to the listeners runs without awaiting, so no exit goes unseen.
        spawnReplica(workload, replica, attempt, prepared.run, output.fd);
      } finally {
        await output.close();
      }
    } catch (error) {
      if (stale()) return;
      log.error({ err: error, workload: workload.name, replica: replica.id }, 'replica start failed');
      fail(workload, replica, WORKLOAD_REASONS.failedToStart, `Could not start replica ${replica.id}: ${(error as Error).message}`);
    }
  }

  function spawnReplica(workload: Workload, replica: Replica, attempt: number, run: ReplicaRun, outputFd: number): void {
    const { file, args, env, cwd, port } = run;
    const runUser = ctx.runUser;
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
      if (replica.attempt !== attempt || ctx.closed || child.pid !== undefined) return;
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
    replica.startedAt = ctx.nowMs();
    record(workload, 'Normal', 'Started', `Started replica ${replica.id} on port ${port}`, replica);
    void readProcessIdentity(pid).then((identity) => {
      if (replica.attempt === attempt && replica.pid === pid) {
        replica.startTime = identity.startTime;
        void ctx.persist(workload);
      }
    });
    replica.timers.deadline = schedule(() => onDeadline(workload, replica, attempt), replica.spec.progressDeadlineSeconds * 1000);
    watch(workload, replica, attempt, Math.min(100, timing.healthIntervalMs));
    void ctx.persist(workload);
  }

  function onDeadline(workload: Workload, replica: Replica, attempt: number): void {
    delete replica.timers.deadline;
    if (ctx.closed || replica.attempt !== attempt || replica.stopRequested || replica.state !== 'starting') return;
    const limit = seconds(replica.spec.progressDeadlineSeconds * 1000);
    replica.state = 'failed';
    replica.reason = WORKLOAD_REASONS.progressDeadline;
    replica.message = `Not ready within ${limit}: GET ${replica.spec.healthPath} on port ${replica.port ?? '?'} answered ${replica.lastHealth ?? 'nothing'}.`;
    // The process keeps running (as a Kubernetes pod would): it becomes ready if it gets there.
    record(workload, 'Warning', WORKLOAD_REASONS.progressDeadline, `Replica ${replica.id} did not become ready within ${limit}`, replica);
    changed(workload);
  }

  function watch(workload: Workload, replica: Replica, attempt: number, delayMs: number): void {
    cancel(replica.timers, 'monitor');
    replica.timers.monitor = schedule(() => {
      delete replica.timers.monitor;
      void check(workload, replica, attempt);
    }, delayMs);
  }

  async function check(workload: Workload, replica: Replica, attempt: number): Promise<void> {
    const stale = () => ctx.closed || replica.attempt !== attempt || replica.pid === null;
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
        replica.readyAt = ctx.nowMs();
        replica.reason = null;
        replica.message = null;
        cancel(replica.timers, 'deadline');
        record(workload, 'Normal', 'Ready', `Replica ${replica.id} is ready on port ${replica.port}`, replica);
        changed(workload);
      }
    } else if (replica.state === 'ready') {
      replica.healthFailures += 1;
      if (replica.healthFailures >= timing.unhealthyAfter) {
        replica.state = 'unready';
        replica.readyAt = null;
        replica.reason = WORKLOAD_REASONS.unhealthy;
        replica.message = `GET ${replica.spec.healthPath} failed ${replica.healthFailures} times in a row: ${result.detail}.`;
        record(workload, 'Warning', WORKLOAD_REASONS.unhealthy, `Readiness check of replica ${replica.id} failed: ${result.detail}`, replica);
        changed(workload);
      }
    }
    watch(workload, replica, attempt, replica.state === 'ready' ? timing.readyCheckIntervalMs : timing.healthIntervalMs);
  }

  function onExit(workload: Workload, replica: Replica, attempt: number, code: number | null, signal: NodeJS.Signals | null, unknownStatus: boolean): void {
    if (ctx.closed || replica.attempt !== attempt || replica.pid === null) return;
    const pid = replica.pid;
    const uptime = replica.startedAt === null ? 0 : ctx.nowMs() - replica.startedAt;
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
      if (ctx.closed || workload.removed || replica.stopRequested || replica.attempt !== attempt) return;
      replica.restarts += 1;
      void launch(workload, replica);
    }, delay);
    changed(workload);
  }

  function stop(workload: Workload, replica: Replica, why: string): Promise<void> {
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
    ctx.cancelAll(replica);
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
    changed(workload);
    if (replica.gpus !== null) {
      // Its GPUs are free again: replicas that waited for GPUs try again.
      for (const other of ctx.workloads.values()) {
        if ([...other.replicas.values()].some((waiting) => waiting.reason === WORKLOAD_REASONS.insufficientGpu && waiting.pid === null)) {
          other.retryFailed = true;
          changed(other);
        }
      }
    }
  }

  return { launch, stop, watch, onDeadline };
}
