import type { Cluster } from '../../domain/cluster.js';
import { NotFoundError } from '../../lib/errors.js';
import type { DeploymentFailoverDeps } from './deployment-failover.js';
import { errorText, failoverAudit } from './failover-audit.js';
import type { FailoverRow } from './failover-repo.js';

/**
 * The copies a failover left behind — the old copy on the lost cluster, or what an abandoned move
 * had applied on a cluster that could not be reached — removed once that cluster answers again:
 * at each failover pass, and at once when the cluster-health check sees the cluster ready again
 * (`cleanupReturned`, hooked to the readiness change), so two copies never run for longer than it
 * takes to stop one. The copy is scaled to 0 first (its replicas stop at once), then removed. The
 * gateway never routes to it meanwhile: it takes a deployment's endpoints from the driver of the
 * cluster the deployment is on only.
 */
export function createFailoverCleanup(deps: Pick<DeploymentFailoverDeps, 'repo' | 'failovers' | 'drivers' | 'clusters' | 'audit' | 'logger'> & { now: () => Date }) {
  const { failovers, logger, now } = deps;
  const audit = failoverAudit(deps.audit);

  async function stopThenRemove(driver: { scale(name: string, replicas: number): Promise<void>; remove(name: string): Promise<{ removed: boolean }> }, name: string): Promise<boolean> {
    try {
      await driver.scale(name, 0);
    } catch (error) {
      // Nothing there to stop (the cluster lost it, or it was removed already).
      if (!(error instanceof NotFoundError)) throw error;
    }
    return (await driver.remove(name)).removed;
  }

  /** One copy left behind on `failover.fromClusterId`: removed if that cluster answers. */
  async function removeOldCopy(failover: FailoverRow, clusters: Map<string, Cluster>): Promise<void> {
    const from = clusters.get(failover.fromClusterId);
    const at = now();
    if (!from) return failovers.finish(failover.id, 'the lost cluster was deleted: no copy left to remove', at);
    if (from.readiness.state !== 'ready') return;
    const current = await deps.repo.findByName(failover.deploymentName);
    // Back on that cluster (moved back, or a new deployment of that name): the copy there is live.
    if (current && current.clusterId === failover.fromClusterId) return failovers.finish(failover.id, `${failover.deploymentName} runs on ${from.name} again: nothing to remove`, at);
    try {
      const driver = await deps.drivers.actingDriver(from);
      if (!driver) return; // another instance owns that local cluster: its own health check calls cleanupReturned there
      const removed = await stopThenRemove(driver, failover.deploymentName);
      await failovers.finish(failover.id, removed ? `the old copy on ${from.name} was scaled to 0 and removed` : `no old copy was left on ${from.name}`, at);
      logger.warn({ deployment: failover.deploymentName, cluster: from.name, removed }, 'failover: the old copy on the returned cluster is gone');
      await audit({ id: failover.deploymentId, name: failover.deploymentName }, 'deployment.failover.cleanup', 'success', `${from.name} answers again: ${removed ? 'removed' : 'found no'} old copy of ${failover.deploymentName} there`);
    } catch (error) {
      logger.warn({ err: error, deployment: failover.deploymentName, cluster: from.name }, 'failover: could not remove the old copy yet');
      await failovers.noteCleanupError(failover.id, errorText(error), at);
    }
  }

  const clusterMap = async () => new Map((await deps.clusters.list(500, 0)).items.map((cluster) => [cluster.id, cluster]));

  return {
    removeOldCopy,
    stopThenRemove,
    clusterMap,

    /** The cluster answers again: the copies moves left there are removed now, not at the next pass. */
    async cleanupReturned(clusterId: string): Promise<void> {
      const waiting = await failovers.movedFrom(clusterId);
      if (waiting.length === 0) return;
      const clusters = await clusterMap();
      for (const row of waiting) await removeOldCopy(row, clusters);
    },
  };
}

export type FailoverCleanup = ReturnType<typeof createFailoverCleanup>;
