import type { Cluster } from '../../domain/cluster.js';
import { failoverRetryDelayMs, type FailoverBackoff } from '../../domain/failover.js';
import type { Optimization } from '../../domain/optimization.js';
import type { DeploymentFailoverDeps } from './deployment-failover.js';
import { createDeploymentPlacement } from './deployment-placement.js';
import type { DeploymentRecord } from './deployment-repo.js';
import { createDeploymentSpecs } from './deployment-spec.js';
import { errorText, failoverAudit } from './failover-audit.js';
import type { FailoverCleanup } from './failover-cleanup.js';
import type { FailoverRow } from './failover-repo.js';

/**
 * One move of a deployment off its lost cluster, made so that an instance dying (or losing
 * leadership) at any point leaves nothing behind that the next try cannot take over:
 *   1. the target cluster is written on the failover record (`target_cluster_id`) before anything
 *      is applied there;
 *   2. the workload is applied on it;
 *   3. the deployment row is switched to it and the record marked moved, in one transaction, only
 *      while this holder (instance and leadership term, `claimed_by`) still holds the move.
 * A move retaken after 1 or 2 first settles the target the record names: still ready → adopted
 * (apply is idempotent: the same spec restarts nothing) and switched to; otherwise what was applied
 * there is removed — or, when that cluster cannot be reached, left to be removed when it answers
 * again — before another cluster is picked.
 */
export function createFailoverMove(deps: DeploymentFailoverDeps & { now: () => Date; backoff: FailoverBackoff; cleanup: FailoverCleanup }) {
  const { repo, failovers, logger, now, cleanup } = deps;
  const placement = createDeploymentPlacement(deps);
  const specs = createDeploymentSpecs(deps);
  const audit = failoverAudit(deps.audit);

  /**
   * What an earlier, unfinished try applied on `targetId` for `record`, removed (a copy on a
   * cluster that does not answer is recorded, to be removed when it answers again). Nothing is
   * removed where the deployment runs.
   */
  async function discardTarget(record: { id: string; name: string }, targetId: string, clusters: Map<string, Cluster>, why: string): Promise<void> {
    const target = clusters.get(targetId);
    // The workload there is named after the deployment: one of that name running there is live.
    const [current, named] = await Promise.all([repo.find(record.id), repo.findByName(record.name)]);
    if (!target || current?.clusterId === targetId || named?.clusterId === targetId) return;
    try {
      const driver = await deps.drivers.actingDriver(target);
      if (driver) await cleanup.stopThenRemove(driver, record.name);
      logger.warn({ deployment: record.name, cluster: target.name }, `failover: removed what an unfinished move applied (${why})`);
    } catch (error) {
      logger.warn({ err: error, deployment: record.name, cluster: target.name }, 'failover: could not remove what an unfinished move applied; it is removed when the cluster answers again');
      await failovers.recordLeftover({
        deploymentId: record.id,
        deploymentName: record.name,
        clusterId: target.id,
        reason: `an unfinished move applied ${record.name} on ${target.name} (${why}); removed when ${target.name} answers again`,
        now: now(),
      });
    }
  }

  /** The cluster to move to: the one an earlier try chose when it is still ready (adopted), else a new pick. */
  async function chooseTarget(record: DeploymentRecord, claimed: FailoverRow, clusters: Map<string, Cluster>, pick: (exclude: string[]) => Promise<Cluster>): Promise<Cluster> {
    const earlier = claimed.targetClusterId ? clusters.get(claimed.targetClusterId) : undefined;
    if (earlier && earlier.id !== record.clusterId && earlier.readiness.state === 'ready') {
      logger.warn({ deployment: record.name, cluster: earlier.name }, 'failover: adopting the target an unfinished move chose');
      return earlier;
    }
    if (claimed.targetClusterId) await discardTarget(record, claimed.targetClusterId, clusters, 'its target is not ready any more');
    return pick(claimed.targetClusterId ? [record.clusterId, claimed.targetClusterId] : [record.clusterId]);
  }

  /** Applies the workload on another cluster and switches the deployment to it; `holder` holds `claimed`. */
  async function move(record: DeploymentRecord, claimed: FailoverRow, holder: string, why: string, signal?: AbortSignal): Promise<void> {
    const at = now();
    const clusters = await cleanup.clusterMap();
    const fromName = clusters.get(record.clusterId)?.name ?? record.clusterName;
    try {
      const model = await deps.models.get(record.modelId);
      const profile = await placement.resourceProfile(record.resourceProfileId);
      const target = await chooseTarget(record, claimed, clusters, (exclude) =>
        placement.pickCluster(record.placementStrategyId!, model, record.runtime, record.replicas, profile, { excludeClusterIds: exclude }),
      );
      const { spec } = specs.render({ ...record, strategy: record.strategy }, model, profile, record.optimization as Optimization);
      // Written before anything is applied: a try that dies after this point is taken over from here.
      if (!(await failovers.recordTarget(claimed.id, holder, target.id, at))) return;
      // Leadership lost: the next leader retakes the move (it finds the target recorded).
      if (signal?.aborted) return;
      // Null: a local cluster another instance owns — its reconciler applies what the row says.
      const driver = await deps.drivers.actingDriver(target);
      if (driver) await driver.apply(spec);
      const reason = `${fromName} lost: ${why}`;
      const outcome = await failovers.completeMove(
        { id: claimed.id, holder, deploymentId: record.id, fromClusterId: record.clusterId, toClusterId: target.id, reason, now: at },
        {
          specHash: spec.specHash,
          status: 'deploying',
          statusReason: 'FailedOver',
          statusMessage: `Failed over from ${fromName} to ${target.name} (${reason}). The copy on ${fromName} is scaled to 0 and removed when it answers again.`,
          readyReplicas: 0,
          endpoints: [],
          consecutiveFailures: 0,
          observedAt: null,
        },
      );
      if (outcome !== 'moved') {
        // Cancelled (deleted, or moved meanwhile), or retaken by another instance: what was just
        // applied belongs to nothing unless the deployment runs there or the move's holder now
        // aims there (it adopts it).
        const [current, row] = await Promise.all([repo.find(record.id), failovers.get(claimed.id)]);
        const stillAimed = row?.state === 'moving' && row.targetClusterId === target.id;
        if (current?.clusterId !== target.id && !stillAimed) await discardTarget(record, target.id, clusters, outcome === 'lost' ? 'another instance took the move over' : 'the move was cancelled');
        return;
      }
      logger.warn({ deployment: record.name, from: fromName, to: target.name }, 'failover: deployment moved to another cluster');
      await deps.announce?.(record.id);
      await audit(record, 'deployment.failover', 'success', `failed over ${record.name} from ${fromName} to ${target.name}: ${reason}`);
      await deps.recordFailoverInConfigHistory?.({ deploymentId: record.id, deploymentName: record.name, fromCluster: fromName, toCluster: target.name, reason, at });
    } catch (error) {
      const nextAttemptAt = new Date(at.getTime() + failoverRetryDelayMs(claimed.attempts, deps.backoff));
      logger.warn({ err: error, deployment: record.name, attempts: claimed.attempts, nextAttemptAt }, 'failover: moving the deployment failed; trying again later');
      await failovers.retryLater(claimed.id, holder, errorText(error), nextAttemptAt, at);
      await repo.update(record.id, { statusMessage: `Its cluster ${fromName} is lost; moving it failed (attempt ${claimed.attempts}: ${errorText(error)}). Next try at ${nextAttemptAt.toISOString()}.` });
      if (claimed.attempts === 1) await audit(record, 'deployment.failover', 'failure', `could not fail over ${record.name} from ${fromName}: ${errorText(error)}`);
    }
  }

  return { move, discardTarget };
}
