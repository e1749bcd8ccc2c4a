import type { ReactNode } from 'react';
import { useModelFit } from '../../api/model-hooks';
import type { Cluster, FitQuery, Model, ResourceProfile, RuntimeId } from '../../api/types';
import { Badge } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Facts } from '../../components/Facts';
import { gpusPerReplica, planGpuFit } from '../../../../domain/deployment-plan';

/** What GET /api/models/:id/fit assumes when the cluster does not say how big its GPUs are. */
const ASSUMED_GPU_MEMORY_GIB = 80;

export interface FitCheckInput {
  model: Model | undefined;
  runtime: RuntimeId | undefined;
  profile: ResourceProfile | null;
  /** The chosen cluster; null when a placement strategy chooses. */
  cluster: Cluster | null;
  /** Undefined while the replicas input holds no valid number. */
  replicas: number | undefined;
}

/** Memory of one GPU of the cluster, when its inventory says. */
function clusterGpuMemoryGiB(cluster: Cluster): number | null {
  const memoryMiB = cluster.inventory?.nodes.flatMap((node) => node.gpus).find((group) => group.memoryMiB)?.memoryMiB;
  return memoryMiB ? Math.round((memoryMiB / 1024) * 10) / 10 : null;
}

/**
 * The live fit check of the deploy drawer (its verdict — null while it cannot tell — and the panel): whether the replicas fit on the chosen cluster's free
 * GPUs (from its inventory, each replica's GPUs on one node, as the server checks it), and what the
 * model needs there (GET /api/models/:id/fit: weights, KV cache, GPUs per replica).
 */
export function useFitCheck({ model, runtime, profile, cluster, replicas }: FitCheckInput): { verdict: boolean | null; view: ReactNode } {
  const perReplica = model && runtime ? gpusPerReplica(runtime, profile, model) : null;
  const freePerNode = cluster?.inventory?.nodes.map((node) => Math.max(0, node.gpuAllocatable - node.gpuAllocated)) ?? [];
  const memoryGiB = cluster ? clusterGpuMemoryGiB(cluster) : null;
  const askFit = Boolean(model?.recommendation) && perReplica !== null && perReplica > 0 && cluster?.inventory && replicas !== undefined && replicas > 0;
  const query: FitQuery | null = askFit
    ? { gpuMemoryGiB: memoryGiB ?? profile?.gpuMemoryGiB ?? ASSUMED_GPU_MEMORY_GIB, freeGpus: freePerNode.length > 0 ? freePerNode.join(',') : '0', replicas: replicas! }
    : null;
  const fit = useModelFit(model?.id ?? '', query);

  const body = (): { verdict: boolean | null; content: ReactNode } => {
    const muted = (text: string) => ({ verdict: null, content: <p className="muted">{text}</p> });
    if (!model || !runtime || perReplica === null) return muted('Choose a model and a runtime.');
    if (perReplica === 0) {
      const why = profile ? `Resource profile ${profile.name} asks for no GPU: the replicas run on CPUs.` : 'CPU runtime: no GPU needed.';
      const content = (
        <p className="fit-verdict">
          <Badge tone="ok">no GPU needed</Badge> {why}
        </p>
      );
      return { verdict: true, content };
    }
    if (!cluster) return muted('The placement strategy picks a cluster with room for the replicas when you deploy.');
    if (!cluster.inventory) return muted(`The inventory of ${cluster.name} has not been collected yet: the server checks the fit when you deploy.`);
    if (replicas === undefined) return muted('Enter the number of replicas.');

    const plan = planGpuFit(perReplica, replicas, { freePerNode, clusterName: cluster.name });
    const needed = fit.data && !fit.isError ? fit.data.gpusPerReplica : undefined;
    // The server refuses a replica whose GPUs cannot hold the model, where it knows their memory.
    const memoryShort = memoryGiB !== null && needed !== undefined && (needed === null || needed > perReplica);
    const fits = plan.fits && !memoryShort;
    const rec = fit.data?.recommendation;
    const memoryMessage = memoryShort
      ? `${model.name} needs ${needed ?? 'more than the'} GPU(s) of ${memoryGiB} GiB per replica${rec ? ` (${rec.weightsGiB} GiB weights + ${rec.kvCacheGiB} GiB KV cache)` : ''}; ${profile ? `resource profile ${profile.name} gives` : 'it would get'} ${perReplica}.`
      : null;
    const content = (
      <>
        <p className="fit-verdict">
          <Badge tone={fits ? 'ok' : 'error'}>{fits ? 'fits' : 'does not fit'}</Badge> {memoryMessage ?? plan.message}
        </p>
        <Facts
          facts={[
            ['GPUs per replica', `${perReplica}${profile ? ` (profile ${profile.name})` : ' (from the model’s size)'}`],
            ['GPUs required', `${plan.gpusRequired} for ${replicas} ${replicas === 1 ? 'replica' : 'replicas'}`],
            ['Free GPUs', `${plan.freeGpus} (per node: ${freePerNode.join(', ') || 'none'})`],
            ['Room for', `${plan.placeableReplicas} ${plan.placeableReplicas === 1 ? 'replica' : 'replicas'}`],
            rec && ['Weights + KV cache', `${rec.weightsGiB} GiB + ${rec.kvCacheGiB} GiB`],
            query && ['GPU memory', memoryGiB !== null ? `${memoryGiB} GiB per GPU` : `${query.gpuMemoryGiB} GiB per GPU (assumed: the cluster does not say)`],
          ]}
        />
        <ErrorBanner error={fit.error} title="The model’s own fit could not be checked." />
      </>
    );
    return { verdict: fits, content };
  };

  const { verdict, content } = body();
  return {
    verdict,
    view: (
      <section className="fit-check" aria-label="Fit check" aria-live="polite">
        <h3 className="fit-check-title">Fit check</h3>
        {content}
      </section>
    ),
  };
}
