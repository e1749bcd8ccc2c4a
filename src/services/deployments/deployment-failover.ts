import { randomUUID } from 'node:crypto';
import type { Cluster } from '../../domain/cluster.js';
import { clusterLost, decideFailover, DEFAULT_FAILOVER_BACKOFF, type DeploymentFailover, type FailoverBackoff, type FailoverSituation } from '../../domain/failover.js';
import type { Page } from '../../domain/pagination.js';
import type { Leadership } from '../../lib/leadership.js';
import { NotFoundError } from '../../lib/errors.js';
import type { AuditRecord } from '../audit/audit-service.js';
import type { DeploymentServiceDeps } from './deployment-deps.js';
import type { DeploymentRecord } from './deployment-repo.js';
import { createFailoverCleanup } from './failover-cleanup.js';
import { createFailoverMove } from './failover-move.js';
import type { FailoverRepo, FailoverRow } from './failover-repo.js';
import { createPolicyReader } from './policy-reader.js';

/** A move done, as config history will want to record it. */
export interface FailoverMove {
  deploymentId: string;
  deploymentName: string;
  fromCluster: string;
  toCluster: string;
  reason: string;
  at: Date;
}

export interface DeploymentFailoverDeps extends Pick<DeploymentServiceDeps, 'repo' | 'models' | 'clusters' | 'policies' | 'presets' | 'drivers' | 'modelFiles' | 'logger'> {
  failovers: FailoverRepo;
  audit: { record(entry: AuditRecord): Promise<void> };
  now?: () => Date;
  backoff?: FailoverBackoff;
  /**
   * This instance's leadership (moves run on the leader only): a move is held by an instance and
   * its leadership term, and one held by another term is retaken at once. Without it this
   * instance counts as the only one, leader since it started.
   */
  leadership?: Pick<Leadership, 'leaderSince'>;
  /** Records a move in the deployment's config history (`failover-history.ts`; cause `failover`, cluster before and after). */
  recordFailoverInConfigHistory?: (move: FailoverMove) => Promise<void>;
  /**
   * Tells the gateways a deployment moved (the deployment service's change listeners: this
   * instance's routes reload, and the other instances' through Redis), as pause and delete do.
   */
  announce?: (deploymentId: string) => Promise<void>;
}

/**
 * Failover policies carried out: deployments whose cluster is lost longer than their policy's
 * grace period are re-placed on another cluster their placement strategy allows (the same model,
 * runtime and settings; `failover-move.ts`), and the copy left on the lost cluster is removed once
 * it answers again (`failover-cleanup.ts`) — never two copies. One `run()` is one pass of the
 * `deployment-failover` loop (leader only).
 */
export function createDeploymentFailover(deps: DeploymentFailoverDeps) {
  const { repo, failovers, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const policies = createPolicyReader(deps.policies);
  const cleanup = createFailoverCleanup({ ...deps, now });
  const { move, discardTarget } = createFailoverMove({ ...deps, now, backoff: deps.backoff ?? DEFAULT_FAILOVER_BACKOFF, cleanup });
  // Who holds a move: this instance in its current leadership term.
  const instance = randomUUID();
  const started = now();
  const holder = () => `${instance}@${(deps.leadership ? deps.leadership.leaderSince() : started)?.toISOString() ?? 'follower'}`;
  // The moves this instance is carrying out right now: never retaken by itself.
  const running = new Set<string>();

  /** The failover policy of the deployment's placement strategy; null without one (or when it is gone). */
  async function policyOf(record: DeploymentRecord): Promise<FailoverSituation['policy']> {
    if (!record.placementStrategyId) return null;
    try {
      const strategy = await policies.placementStrategy(record.placementStrategyId);
      return strategy.failoverPolicyId ? await policies.failoverPolicy(strategy.failoverPolicyId) : null;
    } catch (error) {
      logger.warn({ err: error, deployment: record.name }, 'failover: could not read the placement strategy or its failover policy');
      return null;
    }
  }

  /**
   * A `moving` record nobody carries out any more: moves run on the leader only, so one held by
   * another instance or term was left by an instance that is no longer the leader; one held by
   * this term but not running here was left by a pass of this instance that ended without it.
   */
  const abandoned = (row: FailoverRow) => row.state === 'moving' && !running.has(row.id);

  /** One deployment: watch, wait, cancel or move, as the decision says. */
  async function followDeployment(record: DeploymentRecord, clusters: Map<string, Cluster>, inFlight: FailoverRow | undefined, signal?: AbortSignal): Promise<void> {
    const cluster = clusters.get(record.clusterId);
    const at = now();
    const deployment = { status: record.status, paused: record.paused, deleting: record.deleting };
    const clusterReady = cluster?.readiness.state === 'ready';
    // The common case, without reading policies: nothing lost, nothing in flight.
    if (!inFlight && !clusterLost({ deployment, clusterReady })) return;
    const decision = decideFailover({
      now: at,
      deployment,
      clusterReady,
      policy: await policyOf(record),
      inFlight: inFlight && (inFlight.state === 'pending' || inFlight.state === 'moving') ? { state: inFlight.state, detectedAt: inFlight.detectedAt, nextAttemptAt: inFlight.nextAttemptAt, abandoned: abandoned(inFlight) } : null,
    });
    switch (decision.action) {
      case 'none':
      case 'wait':
        return;
      case 'cancel':
        // What an unfinished try applied on its target goes with the move.
        if ((await failovers.cancel(inFlight!.id, decision.why, at, inFlight!.claimedBy)) && inFlight!.targetClusterId) {
          await discardTarget(record, inFlight!.targetClusterId, clusters, `the move was cancelled: ${decision.why}`);
        }
        return;
      case 'watch':
        if (await failovers.openPending({ deploymentId: record.id, deploymentName: record.name, fromClusterId: record.clusterId, reason: decision.why, detectedAt: at })) {
          logger.warn({ deployment: record.name, cluster: record.clusterName }, 'failover: cluster lost; the failover policy grace period starts');
        }
        return;
      case 'move': {
        const me = holder();
        const claimed = await failovers.claim(inFlight!.id, at, me, inFlight!.state === 'moving' ? inFlight!.claimedBy : undefined);
        if (!claimed) return;
        running.add(claimed.id);
        try {
          await move(record, claimed, me, decision.why, signal);
        } finally {
          running.delete(claimed.id);
        }
      }
    }
  }

  function toView(row: FailoverRow, names: Map<string, string>): DeploymentFailover {
    const iso = (date: Date | null) => (date ? date.toISOString() : null);
    return {
      id: row.id,
      deploymentId: row.deploymentId,
      fromCluster: names.get(row.fromClusterId) ?? null,
      toCluster: row.toClusterId ? (names.get(row.toClusterId) ?? null) : null,
      state: row.state,
      reason: row.reason,
      attempts: row.attempts,
      lastError: row.lastError,
      detectedAt: row.detectedAt.toISOString(),
      nextAttemptAt: iso(row.nextAttemptAt),
      movedAt: iso(row.movedAt),
      finishedAt: iso(row.finishedAt),
    };
  }

  return {
    /** One pass: every deployment's decision, then the old copies of moved ones. */
    async run(signal?: AbortSignal): Promise<void> {
      const clusters = await cleanup.clusterMap();
      const open = await failovers.open();
      const inFlight = new Map(open.filter((row) => row.state !== 'moved').map((row) => [row.deploymentId, row]));
      const seen = new Set<string>();
      for (const record of await repo.all()) {
        if (signal?.aborted) return;
        seen.add(record.id);
        try {
          await followDeployment(record, clusters, inFlight.get(record.id), signal);
        } catch (error) {
          logger.warn({ err: error, deployment: record.name }, 'failover: pass failed for this deployment');
        }
      }
      for (const row of open) {
        if (signal?.aborted) return;
        // A deployment deleted while its move was pending (or left half done) needs no move, nor
        // what an unfinished try applied on its target.
        if ((row.state === 'pending' || abandoned(row)) && !seen.has(row.deploymentId)) {
          const cancelled = await failovers.cancel(row.id, 'the deployment was deleted', now(), row.claimedBy);
          if (cancelled && row.targetClusterId) await discardTarget({ id: row.deploymentId, name: row.deploymentName }, row.targetClusterId, clusters, 'the deployment was deleted');
        }
        if (row.state === 'moved') await cleanup.removeOldCopy(row, clusters);
      }
    },

    /** A cluster answers again (the cluster-health check saw it ready): the copies moves left there go now. */
    cleanupReturned: cleanup.cleanupReturned,

    /** A deployment's failovers, newest first. */
    async list(deploymentId: string, limit: number, offset: number): Promise<Page<DeploymentFailover>> {
      if (!(await repo.find(deploymentId))) throw new NotFoundError('deployment', deploymentId);
      const { rows, total } = await failovers.page(deploymentId, limit, offset);
      const names = new Map([...(await cleanup.clusterMap()).values()].map((cluster) => [cluster.id, cluster.name]));
      return { items: rows.map((row) => toView(row, names)), total, limit, offset };
    },
  };
}

export type DeploymentFailoverService = ReturnType<typeof createDeploymentFailover>;
