import { WORKLOAD_REASONS, type WorkloadSpec } from '../../domain/workload.js';
import { createEventLog } from './event-log.js';
import { LOCAL_HOST, type LocalDriverContext } from './driver-context.js';
import { newReplica, newWorkload, type Replica, type Workload } from './local-workload.js';
import { checkHealth, isRunning, readProcessIdentity, sameProcess } from './process-tools.js';
import type { ReplicaSupervisor } from './replica-supervisor.js';
import { tokenHeaders } from './replica-token.js';
import { loadWorkloadStates, type PersistedReplica, type PersistedWorkload } from './state-store.js';

/**
 * Start-up of the local driver: the workloads saved in `state.json` are loaded again; a replica
 * whose pid still runs the same process (per /proc) is adopted — ready if its health check
 * answers — and a wanted replica that no longer runs is started again.
 */
export interface RecoveryDeps {
  ctx: LocalDriverContext;
  supervisor: ReplicaSupervisor;
  kick(workload: Workload): void;
}

/** A replica as it was saved, not running yet as far as the driver knows. */
function restoredReplica(workload: Workload, spec: WorkloadSpec, saved: PersistedReplica): Replica {
  return {
    ...newReplica(workload, spec, saved.id, saved.index),
    port: saved.port,
    gpus: saved.gpus,
    argv: saved.argv,
    token: saved.token,
    startTime: saved.startTime,
    startedAt: saved.startedAt === null ? null : Date.parse(saved.startedAt),
    restarts: saved.restarts,
    crashes: saved.crashes,
    lastExitCode: saved.lastExitCode,
    lastSignal: saved.lastSignal,
    lastTerminationReason: saved.lastTerminationReason,
    reason: saved.reason,
    message: saved.message,
    attempt: 1,
  };
}

/** Loads every saved workload; one that cannot be read or recovered is logged and left alone. */
export async function recoverWorkloads(deps: RecoveryDeps): Promise<void> {
  const { ctx } = deps;
  for (const loaded of await loadWorkloadStates(ctx.stateDir)) {
    if (!loaded.state) {
      ctx.log.warn({ workload: loaded.name, problem: loaded.problem }, 'workload state cannot be read; its replicas are left alone');
      continue;
    }
    try {
      await recoverWorkload(deps, loaded.name, loaded.state);
    } catch (error) {
      ctx.log.error({ err: error, workload: loaded.name }, 'could not recover the workload');
    }
  }
}

async function recoverWorkload(deps: RecoveryDeps, name: string, saved: PersistedWorkload): Promise<void> {
  const { ctx, supervisor } = deps;
  const { timing, nowMs, record } = ctx;
  const workload = newWorkload(ctx.stateDir, name, saved.spec, createEventLog({ now: ctx.now, initial: saved.events }));
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
        supervisor.watch(workload, replica, replica.attempt, timing.readyCheckIntervalMs);
      } else if (entry.state === 'ready' || entry.state === 'unready') {
        replica.state = 'unready';
        replica.reason = WORKLOAD_REASONS.unhealthy;
        replica.message = `GET ${spec.healthPath} does not answer since the server restarted.`;
        supervisor.watch(workload, replica, replica.attempt, timing.healthIntervalMs);
      } else {
        const left = (replica.startedAt ?? nowMs()) + spec.progressDeadlineSeconds * 1000 - nowMs();
        replica.state = 'starting';
        replica.timers.deadline = ctx.schedule(() => supervisor.onDeadline(workload, replica, replica.attempt), left);
        supervisor.watch(workload, replica, replica.attempt, timing.healthIntervalMs);
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
  ctx.workloads.set(name, workload);
  for (const replica of toStart) void supervisor.launch(workload, replica);
  for (const replica of toStop) void supervisor.stop(workload, replica, 'not wanted any more');
  deps.kick(workload);
  await ctx.persist(workload);
}
