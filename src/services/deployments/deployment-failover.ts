import type { Cluster } from '../../domain/cluster.js';
import { clusterLost, decideFailover, DEFAULT_FAILOVER_BACKOFF, failoverRetryDelayMs, STALE_MOVE_MS, type DeploymentFailover, type FailoverBackoff, type FailoverSituation } from '../../domain/failover.js';
import type { Optimization } from '../../domain/optimization.js';
import type { Page } from '../../domain/pagination.js';
import { NotFoundError } from '../../lib/errors.js';
import type { AuditRecord } from '../audit/audit-service.js';
import type { DeploymentServiceDeps } from './deployment-deps.js';
import { createDeploymentPlacement } from './deployment-placement.js';
import type { DeploymentRecord } from './deployment-repo.js';
import { createDeploymentSpecs } from './deployment-spec.js';
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
  /** Records a move in the deployment's config history (`failover-history.ts`; cause `failover`, cluster before and after). */
  recordFailoverInConfigHistory?: (move: FailoverMove) => Promise<void>;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Failover policies carried out: deployments whose cluster is lost longer than their policy's
 * grace period are re-placed on another cluster their placement strategy allows (the same model,
 * runtime and settings), and the copy left on the lost cluster is removed once it answers again —
 * never two copies. One `run()` is one pass of the `deployment-failover` loop (leader only).
 */
export function createDeploymentFailover(deps: DeploymentFailoverDeps) {
  const { repo, failovers, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const backoff = deps.backoff ?? DEFAULT_FAILOVER_BACKOFF;
  const placement = createDeploymentPlacement(deps);
  const specs = createDeploymentSpecs(deps);
  const policies = createPolicyReader(deps.policies);

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

  function audit(record: { id: string; name: string }, action: string, outcome: 'success' | 'failure', summary: string) {
    return deps.audit.record({ actorId: null, actorUsername: 'system', action, resourceType: 'deployment', resourceId: record.id, outcome, statusCode: outcome === 'success' ? 200 : 500, clientIp: null, requestId: null, summary });
  }

  /** Applies the workload on another cluster and switches the deployment to it. */
  async function move(record: DeploymentRecord, claimed: FailoverRow, from: Cluster | undefined, why: string): Promise<void> {
    const at = now();
    const fromName = from?.name ?? record.clusterName;
    try {
      const model = await deps.models.get(record.modelId);
      const profile = await placement.resourceProfile(record.resourceProfileId);
      const target = await placement.pickCluster(record.placementStrategyId!, model, record.runtime, record.replicas, profile, { excludeClusterIds: [record.clusterId] });
      const { spec } = specs.render({ ...record, strategy: record.strategy }, model, profile, record.optimization as Optimization);
      // Null: a local cluster another instance owns — its reconciler applies what the row says.
      const driver = await deps.drivers.actingDriver(target);
      if (driver) await driver.apply(spec);
      const reason = `${fromName} lost: ${why}`;
      const moved = await failovers.completeMove(
        { id: claimed.id, deploymentId: record.id, fromClusterId: record.clusterId, toClusterId: target.id, reason, now: at },
        {
          specHash: spec.specHash,
          status: 'deploying',
          statusReason: 'FailedOver',
          statusMessage: `Failed over from ${fromName} to ${target.name} (${reason}). The copy on ${fromName} is removed when it answers again.`,
          readyReplicas: 0,
          endpoints: [],
          consecutiveFailures: 0,
          observedAt: null,
        },
      );
      if (!moved) {
        // Changed meanwhile (deleted, or moved by another pass): unless the deployment now runs
        // on the target, what was just applied there belongs to nothing.
        const current = await repo.find(record.id);
        if (current?.clusterId !== target.id) {
          await driver?.remove(record.name).catch((error: unknown) => logger.warn({ err: error, deployment: record.name }, 'failover: could not remove a copy applied for a cancelled move'));
        }
        return;
      }
      logger.warn({ deployment: record.name, from: fromName, to: target.name }, 'failover: deployment moved to another cluster');
      await audit(record, 'deployment.failover', 'success', `failed over ${record.name} from ${fromName} to ${target.name}: ${reason}`);
      await deps.recordFailoverInConfigHistory?.({ deploymentId: record.id, deploymentName: record.name, fromCluster: fromName, toCluster: target.name, reason, at });
    } catch (error) {
      const nextAttemptAt = new Date(at.getTime() + failoverRetryDelayMs(claimed.attempts, backoff));
      logger.warn({ err: error, deployment: record.name, attempts: claimed.attempts, nextAttemptAt }, 'failover: moving the deployment failed; trying again later');
      await failovers.retryLater(claimed.id, errorText(error), nextAttemptAt, at);
      await repo.update(record.id, { statusMessage: `Its cluster ${fromName} is lost; moving it failed (attempt ${claimed.attempts}: ${errorText(error)}). Next try at ${nextAttemptAt.toISOString()}.` });
      if (claimed.attempts === 1) await audit(record, 'deployment.failover', 'failure', `could not fail over ${record.name} from ${fromName}: ${errorText(error)}`);
    }
  }

  /** One deployment: watch, wait, cancel or move, as the decision says. */
  async function followDeployment(record: DeploymentRecord, clusters: Map<string, Cluster>, inFlight: FailoverRow | undefined): Promise<void> {
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
      inFlight: inFlight && (inFlight.state === 'pending' || inFlight.state === 'moving') ? { state: inFlight.state, detectedAt: inFlight.detectedAt, nextAttemptAt: inFlight.nextAttemptAt, updatedAt: inFlight.updatedAt } : null,
    });
    switch (decision.action) {
      case 'none':
      case 'wait':
        return;
      case 'cancel':
        await failovers.cancel(inFlight!.id, decision.why, at);
        return;
      case 'watch':
        if (await failovers.openPending({ deploymentId: record.id, deploymentName: record.name, fromClusterId: record.clusterId, reason: decision.why, detectedAt: at })) {
          logger.warn({ deployment: record.name, cluster: record.clusterName }, 'failover: cluster lost; the failover policy grace period starts');
        }
        return;
      case 'move': {
        const claimed = await failovers.claim(inFlight!.id, at, new Date(at.getTime() - STALE_MOVE_MS));
        if (claimed) await move(record, claimed, cluster, decision.why);
      }
    }
  }

  /** A moved deployment's old copy: removed once its cluster answers again. */
  async function removeOldCopy(failover: FailoverRow, clusters: Map<string, Cluster>): Promise<void> {
    const from = clusters.get(failover.fromClusterId);
    const at = now();
    if (!from) return failovers.finish(failover.id, 'the lost cluster was deleted: no copy left to remove', at);
    if (from.readiness.state !== 'ready') return;
    const current = await repo.findByName(failover.deploymentName);
    // Back on that cluster (moved back, or a new deployment of that name): the copy there is live.
    if (current && current.clusterId === failover.fromClusterId) return failovers.finish(failover.id, `${failover.deploymentName} runs on ${from.name} again: nothing to remove`, at);
    try {
      const driver = await deps.drivers.actingDriver(from);
      if (!driver) return; // another instance owns that local cluster; it is left to a later pass here
      const { removed } = await driver.remove(failover.deploymentName);
      await failovers.finish(failover.id, removed ? `the old copy on ${from.name} was removed` : `no old copy was left on ${from.name}`, at);
      logger.warn({ deployment: failover.deploymentName, cluster: from.name, removed }, 'failover: the old copy on the returned cluster is gone');
      await audit({ id: failover.deploymentId, name: failover.deploymentName }, 'deployment.failover.cleanup', 'success', `${from.name} answers again: ${removed ? 'removed' : 'found no'} old copy of ${failover.deploymentName} there`);
    } catch (error) {
      logger.warn({ err: error, deployment: failover.deploymentName, cluster: from.name }, 'failover: could not remove the old copy yet');
      await failovers.noteCleanupError(failover.id, errorText(error), at);
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

  const clusterMap = async () => new Map((await deps.clusters.list(500, 0)).items.map((cluster) => [cluster.id, cluster]));

  return {
    /** One pass: every deployment's decision, then the old copies of moved ones. */
    async run(signal?: AbortSignal): Promise<void> {
      const clusters = await clusterMap();
      const open = await failovers.open();
      const inFlight = new Map(open.filter((row) => row.state !== 'moved').map((row) => [row.deploymentId, row]));
      const seen = new Set<string>();
      for (const record of await repo.all()) {
        if (signal?.aborted) return;
        seen.add(record.id);
        try {
          await followDeployment(record, clusters, inFlight.get(record.id));
        } catch (error) {
          logger.warn({ err: error, deployment: record.name }, 'failover: pass failed for this deployment');
        }
      }
      for (const row of open) {
        if (signal?.aborted) return;
        // A deployment deleted while its move was pending needs no move.
        if (row.state === 'pending' && !seen.has(row.deploymentId)) await failovers.cancel(row.id, 'the deployment was deleted', now());
        if (row.state === 'moved') await removeOldCopy(row, clusters);
      }
    },

    /** A deployment's failovers, newest first. */
    async list(deploymentId: string, limit: number, offset: number): Promise<Page<DeploymentFailover>> {
      if (!(await repo.find(deploymentId))) throw new NotFoundError('deployment', deploymentId);
      const { rows, total } = await failovers.page(deploymentId, limit, offset);
      const names = new Map([...(await clusterMap()).values()].map((cluster) => [cluster.id, cluster.name]));
      return { items: rows.map((row) => toView(row, names)), total, limit, offset };
    },
  };
}

export type DeploymentFailoverService = ReturnType<typeof createDeploymentFailover>;
