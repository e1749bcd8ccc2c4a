import type { Cluster } from '../../domain/cluster.js';
import { gpuModelOnCluster } from '../../domain/costs.js';
import { gpusPerReplica } from '../../domain/deployment-plan.js';
import type { Page } from '../../domain/pagination.js';
import type { UsageTarget } from './gpu-time.js';

/** What counting a deployment's GPUs reads: the deployment's row, its model, its resource profile, its cluster's inventory. */
export interface UsageTargetDeps {
  deployments: {
    all(): Promise<
      ReadonlyArray<{ id: string; name: string; clusterId: string; clusterName: string; modelId: string; runtime: string; resourceProfileId: string | null; readyReplicas: number; paused: boolean }>
    >;
  };
  models: { get(id: string): Promise<{ recommendation: { gpuCount: number | null } | null }> };
  profiles: { resourceProfile(id: string | null): Promise<{ gpuCount: number; gpuType?: string | undefined } | null> };
  clusters: { list(limit: number, offset: number): Promise<Page<Cluster>> };
}

/**
 * Every deployment's GPUs now: ready replicas (as last observed; none while paused) × GPUs per
 * replica (as placement counts them, `gpusPerReplica`), on its cluster's GPU model. A deployment
 * whose model or profile cannot be read counts no GPUs and is named in `problems`.
 */
export async function usageTargets(deps: UsageTargetDeps): Promise<{ targets: UsageTarget[]; problems: Array<{ deployment: string; error: unknown }> }> {
  const inventories = new Map((await deps.clusters.list(500, 0)).items.map((cluster) => [cluster.id, cluster.inventory?.nodes.flatMap((node) => node.gpus) ?? []]));
  const targets: UsageTarget[] = [];
  const problems: Array<{ deployment: string; error: unknown }> = [];
  for (const deployment of await deps.deployments.all()) {
    const base = { deploymentId: deployment.id, deploymentName: deployment.name, clusterId: deployment.clusterId, clusterName: deployment.clusterName };
    try {
      const profile = await deps.profiles.resourceProfile(deployment.resourceProfileId);
      const perReplica = gpusPerReplica(deployment.runtime, profile, await deps.models.get(deployment.modelId));
      const replicas = deployment.paused ? 0 : deployment.readyReplicas;
      targets.push({ ...base, gpuModel: gpuModelOnCluster(inventories.get(deployment.clusterId) ?? [], profile?.gpuType), gpus: replicas * perReplica });
    } catch (error) {
      problems.push({ deployment: deployment.name, error });
      targets.push({ ...base, gpuModel: '', gpus: 0 });
    }
  }
  return { targets, problems };
}
