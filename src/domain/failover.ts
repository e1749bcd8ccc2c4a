import { z } from 'zod';
import type { DeploymentStatus } from './deployment-status.js';

/**
 * Failover of a deployment whose cluster is lost: when to move it (the failover policy's grace
 * period, the back-off after failed moves) — the decision only, no I/O. The loop
 * (`reconcilers/deployment-failover.ts`) asks it for every deployment at each tick.
 */

export const FAILOVER_STATES = ['pending', 'moving', 'moved', 'completed', 'cancelled'] as const;
export type FailoverState = (typeof FAILOVER_STATES)[number];

/** Failed moves are retried after `baseMs`, doubling each time, never more than `capMs`. */
export interface FailoverBackoff {
  baseMs: number;
  capMs: number;
}
export const DEFAULT_FAILOVER_BACKOFF: FailoverBackoff = { baseMs: 30_000, capMs: 15 * 60_000 };

/** How long to wait after the `attempts`-th failed move (1 = the first). */
export function failoverRetryDelayMs(attempts: number, backoff: FailoverBackoff = DEFAULT_FAILOVER_BACKOFF): number {
  const exponent = Math.max(0, attempts - 1);
  // 2^30 × any base is past any cap: stop doubling before the number overflows.
  return Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(exponent, 30));
}

export interface FailoverSituation {
  now: Date;
  deployment: { status: DeploymentStatus; paused: boolean; deleting: boolean };
  /** Whether the deployment's cluster is ready (the cluster-health loop's readiness). */
  clusterReady: boolean;
  /** The failover policy of the deployment's placement strategy; null without a strategy or without a policy on it. */
  policy: { action: 'keep' | 're-place'; gracePeriodSeconds: number } | null;
  /**
   * The deployment's move in flight, if any. `abandoned`: a `moving` one that nobody runs any
   * more — claimed by an instance that is no longer the leader (moves run on the leader only), or
   * by this one in a pass that ended without finishing it: it may be retaken at once.
   */
  inFlight: { state: 'pending' | 'moving'; detectedAt: Date; nextAttemptAt: Date | null; abandoned: boolean } | null;
}

export type FailoverDecision =
  /** Nothing to do (the cluster answers, the policy keeps the deployment where it is, a move is running). */
  | { action: 'none'; why: string }
  /** The cluster was just found lost: start counting the grace period from now. */
  | { action: 'watch'; why: string }
  /** Lost, but the grace period or the back-off after a failed move has not passed. */
  | { action: 'wait'; until: Date; why: string }
  /** The pending move is no longer needed. */
  | { action: 'cancel'; why: string }
  /** Move it now. */
  | { action: 'move'; why: string };

/** Whether the deployment's cluster counts as lost: not ready, or the deployment's status is unknown. */
export function clusterLost(situation: Pick<FailoverSituation, 'clusterReady' | 'deployment'>): boolean {
  return !situation.clusterReady || situation.deployment.status === 'unknown';
}

export function decideFailover(situation: FailoverSituation): FailoverDecision {
  const { now, deployment, policy, inFlight } = situation;
  const lost = clusterLost(situation);
  const abandonedMove = inFlight?.state === 'moving' && inFlight.abandoned;
  if (inFlight?.state === 'moving' && !abandonedMove) return { action: 'none', why: 'a move is in flight' };

  let notNeeded: string | null = null;
  if (!lost) notNeeded = 'the cluster answers again';
  else if (deployment.paused || deployment.deleting) notNeeded = 'the deployment is paused or being deleted';
  else if (!policy) notNeeded = 'no failover policy applies (no placement strategy, or none on it)';
  else if (policy.action === 'keep') notNeeded = 'the failover policy keeps the deployment on its cluster';
  if (notNeeded) return inFlight ? { action: 'cancel', why: notNeeded } : { action: 'none', why: notNeeded };

  if (!inFlight) return { action: 'watch', why: 'the cluster is lost' };
  if (abandonedMove) return { action: 'move', why: 'the move claimed earlier was abandoned' };
  const graceEnds = new Date(inFlight.detectedAt.getTime() + policy!.gracePeriodSeconds * 1000);
  if (now < graceEnds) return { action: 'wait', until: graceEnds, why: `grace period of ${policy!.gracePeriodSeconds} s not over` };
  if (inFlight.nextAttemptAt && now < inFlight.nextAttemptAt) return { action: 'wait', until: inFlight.nextAttemptAt, why: 'backing off after a failed move' };
  return { action: 'move', why: `the cluster has been lost for longer than the grace period of ${policy!.gracePeriodSeconds} s` };
}

/** One failover as the API shows it. */
export const deploymentFailoverSchema = z.object({
  id: z.uuid(),
  deploymentId: z.uuid(),
  fromCluster: z.string().nullable().describe('Name of the lost cluster; null once it was deleted.'),
  toCluster: z.string().nullable().describe('Where the deployment was moved; null until it was, and on a record of a copy an unfinished move left on fromCluster (removed when it answers again).'),
  state: z.enum(FAILOVER_STATES).describe('pending: waiting out the grace period or the back-off; moving; moved: runs on toCluster, the old copy is removed when fromCluster answers again; completed; cancelled: the cluster returned first.'),
  reason: z.string(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  detectedAt: z.string(),
  nextAttemptAt: z.string().nullable(),
  movedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type DeploymentFailover = z.infer<typeof deploymentFailoverSchema>;
