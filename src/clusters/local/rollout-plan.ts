import type { ReplicaState, WorkloadStrategy } from '../../domain/workload.js';
import { replicaId } from './local-workload.js';

/**
 * The rollout of one workload as a pure decision: from its replicas as they are now, the spec
 * and replica count wanted and the strategy, the next things to do. The driver executes the
 * actions in order and plans again whenever a replica's state changes, so a plan is one step,
 * never the whole rollout.
 */

/** A replica as the plan sees it. */
export interface PlannedReplica {
  id: string;
  index: number;
  specHash: string;
  state: ReplicaState;
  /** Whether a process runs for it: a `failed` replica without one could not start at all. */
  hasProcess: boolean;
}

export interface RolloutInput {
  /** The workload's name: new replicas are named `replicaId(name, specHash, index)`. */
  name: string;
  /** The spec wanted. */
  specHash: string;
  /** How many replicas of it are wanted. */
  desired: number;
  strategy: WorkloadStrategy;
  /** Replicas of the wanted spec that could not start at all (BinaryNotFound, a missing secret …) are tried again. */
  retryFailed: boolean;
  /** Every replica the workload has, stopping ones included, in the workload's order. */
  replicas: readonly PlannedReplica[];
}

export type RolloutAction =
  /** Stop this replica (SIGTERM, then SIGKILL after the grace period). */
  | { type: 'stop'; replica: string; why: string }
  /** Start this replica that could not start at all again (it counts as a restart). */
  | { type: 'retry'; replica: string }
  /** Create and start a replica of the wanted spec at this index. */
  | { type: 'start'; index: number };

/**
 * What the rollout waits for before it can go on: old replicas to be gone (Recreate stops them
 * all first), a new replica to be ready (RollingUpdate replaces one at a time), or a replica of
 * the wanted spec still stopping under the id a new one would take.
 */
export type RolloutWait = 'old-replicas-to-stop' | 'new-replica-to-be-ready' | 'replica-to-stop';

export interface RolloutPlan {
  actions: RolloutAction[];
  /** Null when nothing is held back: every action this step can take is in `actions`. */
  waitingFor: RolloutWait | null;
}

const REPLACED = 'replaced by a new spec';

export function planRollout(input: RolloutInput): RolloutPlan {
  const { name, specHash: hash, desired: wanted } = input;
  const actions: RolloutAction[] = [];
  const stop = (replica: PlannedReplica, why: string) => actions.push({ type: 'stop', replica: replica.id, why });

  const live = input.replicas.filter((replica) => replica.state !== 'stopping' && replica.state !== 'stopped');
  const current = live.filter((replica) => replica.specHash === hash);
  const old = live.filter((replica) => replica.specHash !== hash);

  for (const replica of current) if (replica.index >= wanted) stop(replica, `scaled to ${wanted}`);
  const kept = current.filter((replica) => replica.index < wanted);

  if (input.retryFailed) {
    for (const replica of kept) if (replica.state === 'failed' && !replica.hasProcess) actions.push({ type: 'retry', replica: replica.id });
  }

  const taken = new Set(kept.map((replica) => replica.index));
  const ids = new Set(input.replicas.map((replica) => replica.id));
  const free = (index: number) => !taken.has(index);
  // A stopping replica of the same spec and index still holds the id: wait for it to go.
  const missing = Array.from({ length: wanted }, (_, index) => index).filter((index) => free(index) && !ids.has(replicaId(name, hash, index)));
  const blocked = Array.from({ length: wanted }, (_, index) => index).some((index) => free(index) && ids.has(replicaId(name, hash, index)));
  const startMissing = (count: number) => {
    for (const index of missing.slice(0, count)) actions.push({ type: 'start', index });
  };
  const done = (): RolloutPlan => ({ actions, waitingFor: blocked ? 'replica-to-stop' : null });

  if (old.length === 0) {
    if (input.strategy === 'Recreate' && input.replicas.some((replica) => replica.specHash !== hash)) {
      return { actions, waitingFor: wanted > 0 ? 'old-replicas-to-stop' : null };
    }
    startMissing(missing.length);
    return done();
  }
  if (input.strategy === 'Recreate' || wanted === 0) {
    for (const replica of old) stop(replica, REPLACED);
    return { actions, waitingFor: wanted > 0 ? 'old-replicas-to-stop' : null };
  }
  // RollingUpdate, one at a time: an old replica goes once a new one serves in its place, so
  // the number serving never drops below the replica count.
  for (const replica of old) if (replica.state !== 'ready') stop(replica, REPLACED);
  const readyOld = old.filter((replica) => replica.state === 'ready').sort((a, b) => b.index - a.index);
  const readyNew = kept.filter((replica) => replica.state === 'ready');
  let excess = readyOld.length + readyNew.length - wanted;
  let remainingOld = readyOld.length;
  for (const replica of readyOld) {
    if (excess <= 0) break;
    stop(replica, REPLACED);
    excess -= 1;
    remainingOld -= 1;
  }
  if (remainingOld === 0) {
    startMissing(missing.length);
    return done();
  }
  if (kept.every((replica) => replica.state === 'ready')) startMissing(1);
  return { actions, waitingFor: 'new-replica-to-be-ready' };
}
