import type { ChangeCause } from '../../domain/rollout.js';
import { WORKLOAD_REASONS, type WorkloadStatus, type WorkloadStrategy } from '../../domain/workload.js';

/**
 * What the rollout monitor does with one progressing rollout, decided from what the cluster
 * reports: a pure function of the rollout, the workload's status, the time and the grace.
 */

/** Reasons of new replicas that end a rollout once its grace is over. */
export const ROLLOUT_FAILURE_REASONS: readonly string[] = [WORKLOAD_REASONS.crashLoop, WORKLOAD_REASONS.oomKilled, WORKLOAD_REASONS.progressDeadline];

export interface RolloutGraceSettings {
  /** Startup grace per strategy, in ms (Recreate 3 min, RollingUpdate 90 s by default). */
  byStrategy: Readonly<Record<WorkloadStrategy, number>>;
  /** Longer graces of runtimes known to start slowly, in ms. */
  byRuntime?: Readonly<Partial<Record<string, number>>>;
}

/** The grace of a rollout: its strategy's, or its runtime's where that is longer. */
export function rolloutGraceMs(settings: RolloutGraceSettings, strategy: WorkloadStrategy, runtime: string): number {
  return Math.max(settings.byStrategy[strategy], settings.byRuntime?.[runtime] ?? 0);
}

export interface FollowedRollout {
  cause: ChangeCause;
  startedAt: Date;
}

/** What the deployment wants now: the spec hash and replica count the rollout brings about. */
export interface WantedWorkload {
  specHash: string;
  replicas: number;
}

export type RolloutDecision =
  | { action: 'wait'; why: string }
  | { action: 'succeed' }
  /** Undo the change: its new replicas fail. */
  | { action: 'rollback'; reason: string; message: string }
  /** A rollback that fails itself: stop here, never roll back a rollback. */
  | { action: 'fail'; reason: string; message: string };

/** The first failure among replicas of the wanted spec, OOMKilled over a crash loop it caused. */
function failureOf(status: WorkloadStatus, specHash: string): { reason: string; message: string } | null {
  for (const replica of status.replicaStatuses) {
    if (replica.specHash !== specHash || replica.ready || replica.state === 'stopping' || replica.state === 'stopped') continue;
    const oom = replica.reason === WORKLOAD_REASONS.oomKilled || (replica.reason === WORKLOAD_REASONS.crashLoop && replica.lastTerminationReason === WORKLOAD_REASONS.oomKilled);
    const reason = oom ? WORKLOAD_REASONS.oomKilled : replica.reason;
    if (reason && ROLLOUT_FAILURE_REASONS.includes(reason)) return { reason, message: `${replica.id}: ${replica.message ?? reason}` };
  }
  return null;
}

export function decide(rollout: FollowedRollout, wanted: WantedWorkload, status: WorkloadStatus | null, now: Date, graceMs: number): RolloutDecision {
  if (status === null) return { action: 'wait', why: 'the workload is not on the cluster yet' };
  if (status.specHash !== wanted.specHash) return { action: 'wait', why: 'the cluster has not taken the new spec yet' };
  const updatedReady = status.replicaStatuses.filter((replica) => replica.specHash === wanted.specHash && replica.ready).length;
  const old = status.replicaStatuses.filter((replica) => replica.specHash !== wanted.specHash && replica.state !== 'stopped').length;
  if (updatedReady >= wanted.replicas && old === 0) return { action: 'succeed' };
  const elapsed = now.getTime() - rollout.startedAt.getTime();
  if (elapsed < graceMs) return { action: 'wait', why: `within the startup grace (${Math.round(elapsed / 1000)} s of ${Math.round(graceMs / 1000)} s)` };
  const failure = failureOf(status, wanted.specHash);
  if (!failure) return { action: 'wait', why: 'new replicas are still starting' };
  return rollout.cause === 'rollback' ? { action: 'fail', ...failure } : { action: 'rollback', ...failure };
}
