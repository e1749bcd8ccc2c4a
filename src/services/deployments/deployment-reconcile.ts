import type { ClusterDriver } from '../../clusters/cluster-driver.js';
import { inClusterScope } from '../../clusters/local-ownership.js';
import type { Cluster } from '../../domain/cluster.js';
import type { ClusterScope } from '../../domain/loops.js';
import { statusAfterFailedObservation } from '../../domain/deployment-status.js';
import type { Optimization } from '../../domain/optimization.js';
import type { WorkloadStatus } from '../../domain/workload.js';
import type { DeploymentServiceDeps } from './deployment-deps.js';
import type { DeploymentObservation } from './deployment-observation.js';
import type { DeploymentPlacement } from './deployment-placement.js';
import type { DeploymentRecord } from './deployment-repo.js';
import type { DeploymentSpecs } from './deployment-spec.js';

/** Whether the cluster runs something else than the saved deployment says. */
function drifted(record: DeploymentRecord, status: WorkloadStatus | null): boolean {
  if (record.paused) return status !== null && status.replicas.desired !== 0;
  return status === null || status.specHash !== record.specHash || status.replicas.desired !== record.replicas;
}

/**
 * One reconcile pass: observe every deployment, save what is seen, count failed calls
 * (unknown after three), finish interrupted deletes, and re-apply workloads a cluster lost
 * or scaled outside H-MAS.
 */
export function createDeploymentReconcile(
  deps: Pick<DeploymentServiceDeps, 'repo' | 'models' | 'clusters' | 'drivers' | 'logger'>,
  parts: { observation: DeploymentObservation; placement: DeploymentPlacement; specs: DeploymentSpecs },
) {
  const { repo, drivers, logger } = deps;
  const { observation, placement, specs } = parts;

  /**
   * Brings a drifted workload back to the saved deployment: applies it when the cluster lost it
   * or runs another spec (a change saved through an instance that does not own the cluster),
   * else restores the replica count.
   */
  async function correct(driver: ClusterDriver, record: DeploymentRecord, status: WorkloadStatus | null): Promise<void> {
    if (!record.paused && (status === null || status.specHash !== record.specHash)) {
      logger.warn({ deployment: record.name }, status === null ? 'workload missing on the cluster: applying it again' : 'spec changed in the database: applying it');
      const model = await deps.models.get(record.modelId);
      const { spec } = specs.render({ ...record, strategy: record.strategy }, model, await placement.resourceProfile(record.resourceProfileId), record.optimization as Optimization);
      await driver.apply(spec);
      // This host's rendering (its own model file paths) is what to compare with from now on.
      if (spec.specHash !== record.specHash) await repo.update(record.id, { specHash: spec.specHash });
      return;
    }
    const desired = record.paused ? 0 : record.replicas;
    logger.warn({ deployment: record.name, seen: status?.replicas.desired, desired }, 'replica count changed outside H-MAS: restoring it');
    await driver.scale(record.name, desired);
  }

  /** `scope`: only deployments on those clusters (default all); see `ClusterScope`. */
  return async function reconcile(signal?: AbortSignal, scope?: ClusterScope): Promise<void> {
    const leftToOwners: string[] = [];
    for (const record of await repo.all()) {
      if (signal?.aborted) return;
      let cluster: Cluster;
      let driver: ClusterDriver | null;
      try {
        cluster = await deps.clusters.get(record.clusterName);
        if (!inClusterScope(cluster, scope)) continue;
        driver = await drivers.actingDriver(cluster);
      } catch {
        continue;
      }
      // Another instance owns the cluster: it observes, restarts and removes these replicas.
      if (!driver) {
        leftToOwners.push(record.name);
        continue;
      }
      if (record.deleting) {
        await driver.remove(record.name).then(() => repo.remove(record.id)).catch((error: unknown) => logger.warn({ err: error, deployment: record.name }, 'delete not finished yet'));
        continue;
      }
      try {
        const { observed, status } = await observation.observe(driver, record, observation.timeouts.singleMs);
        // Corrections follow the row as it is now, not as this pass read it: a change saved
        // meanwhile (here or through another instance) must not be rolled back.
        const latest = drifted(record, status) ? await repo.find(record.id) : undefined;
        if (latest && !latest.deleting && drifted(latest, status)) await correct(driver, latest, status);
        await observation.remember(record, observed);
      } catch (error) {
        const failures = record.consecutiveFailures + 1;
        const next = statusAfterFailedObservation(record.status, failures);
        logger.warn({ err: error, deployment: record.name, failures }, 'could not observe deployment');
        await repo.update(
          record.id,
          {
            consecutiveFailures: failures,
            status: next,
            ...(next === 'unknown' ? { statusMessage: `The cluster did not answer ${failures} times in a row; last known state kept.` } : {}),
          },
          { onCluster: record.clusterId },
        );
      }
    }
    if (leftToOwners.length > 0) logger.debug({ deployments: leftToOwners }, 'reconcile pass: deployments on clusters other instances own were left to them');
  };
}
