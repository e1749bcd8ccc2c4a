import type { Cluster } from '../../domain/cluster.js';
import { gpusPerReplica, planGpuFit, type GpuCapacity } from '../../domain/deployment-plan.js';
import type { Model } from '../../domain/model.js';
import { recommendResources } from '../../domain/resource-fit.js';
import { ConflictError } from '../../lib/errors.js';
import type { DeploymentServiceDeps } from './deployment-deps.js';
import { createPolicyReader, type ResourceProfileSpec } from './policy-reader.js';

/**
 * Where a deployment goes and whether it fits: typed policies, free GPUs as each cluster's kind
 * counts them (the cluster registry), and the choice a placement strategy makes.
 */
export function createDeploymentPlacement(deps: Pick<DeploymentServiceDeps, 'repo' | 'clusters' | 'policies' | 'drivers'>) {
  const policies = createPolicyReader(deps.policies);

  /** Free GPUs per node; `exceptDeploymentId`'s own GPUs count as free (an update replaces them). */
  async function capacity(cluster: Cluster, exceptDeploymentId?: string): Promise<GpuCapacity> {
    return deps.drivers.capacity(cluster, {
      async heldGpus() {
        let held = 0;
        for (const other of await deps.repo.all()) {
          if (other.clusterId !== cluster.id || other.id === exceptDeploymentId || other.paused) continue;
          held += (await policies.resourceProfile(other.resourceProfileId))?.gpuCount ?? 0;
        }
        return held;
      },
    });
  }

  return {
    resourceProfile: policies.resourceProfile,
    capacity,

    /** 409 INSUFFICIENT_GPU when the model's weights and KV cache need more GPUs per replica than the profile gives. */
    checkGpuMemory(model: Model, perReplica: number, cluster: Cluster): void {
      const memoryMiB = cluster.inventory?.nodes.flatMap((node) => node.gpus).find((group) => group.memoryMiB)?.memoryMiB;
      if (perReplica === 0 || !memoryMiB) return;
      const recommendation = recommendResources(model, { gpuMemoryGiB: memoryMiB / 1024 });
      if (recommendation?.gpuCount && recommendation.gpuCount > perReplica) {
        throw new ConflictError(
          'INSUFFICIENT_GPU',
          `${model.name} needs ${recommendation.gpuCount} GPU(s) of ${Math.round(memoryMiB / 1024)} GiB per replica (${recommendation.weightsGiB} GiB weights + ${recommendation.kvCacheGiB} GiB KV cache); the resource profile gives ${perReplica}.`,
          { recommendation },
        );
      }
    },

    /**
     * The ready cluster the strategy allows with room for the replicas, most (or least) free GPUs
     * first. `options.excludeClusterIds`: clusters not to choose (a failover leaving a lost one).
     */
    async pickCluster(strategyId: string, model: Model, runtime: string, replicas: number, profile: ResourceProfileSpec | null, options: { excludeClusterIds?: readonly string[] } = {}): Promise<Cluster> {
      const strategy = await policies.placementStrategy(strategyId);
      const perReplica = gpusPerReplica(runtime, profile, model);
      const candidates: Array<{ cluster: Cluster; free: number }> = [];
      for (const cluster of (await deps.clusters.list(500, 0)).items) {
        if (cluster.readiness.state !== 'ready' || options.excludeClusterIds?.includes(cluster.id)) continue;
        // Federation members mean something only to a federation cluster.
        if (strategy.federation && cluster.connection.kind !== 'federation') continue;
        if (strategy.clusterTypes.length > 0 && !strategy.clusterTypes.includes(cluster.type)) continue;
        if (strategy.clusterNames.length > 0 && !strategy.clusterNames.includes(cluster.name)) continue;
        if (Object.entries(strategy.matchLabels).some(([key, value]) => cluster.labels[key] !== value)) continue;
        try {
          // Another instance's local cluster is placed on too: its owner starts what is recorded.
          await deps.drivers.actingDriver(cluster);
        } catch {
          continue;
        }
        const room = await capacity(cluster);
        const free = room.freePerNode.reduce((sum, value) => sum + Math.max(0, value), 0);
        if (free < strategy.minFreeGpus || !planGpuFit(perReplica, replicas, room).fits) continue;
        candidates.push({ cluster, free });
      }
      candidates.sort((a, b) => (strategy.preference === 'most-free-gpus' ? b.free - a.free : a.free - b.free) || a.cluster.name.localeCompare(b.cluster.name));
      const chosen = candidates[0];
      if (!chosen) {
        throw new ConflictError('NO_CLUSTER_MATCHES', `No ready cluster matches placement strategy "${strategy.name}" with room for ${replicas} replica(s) × ${perReplica} GPU.`);
      }
      return chosen.cluster;
    },
  };
}

export type DeploymentPlacement = ReturnType<typeof createDeploymentPlacement>;
