import { DeadlineError, withDeadline } from '../../clusters/connection-error.js';
import { describeKubeError } from '../../clusters/kubernetes/kube-error.js';
import { IMAGE_WARMER_NAME } from '../../clusters/kubernetes/image-warmer-manifest.js';
import { ForeignDaemonSetError, syncImageWarmer, type DaemonSetApi, type WarmerSyncInput } from '../../clusters/kubernetes/image-warmer.js';
import { DEFAULT_CLUSTER_NAMESPACE } from '../../domain/cluster.js';
import { describeWarmerPhase, type ImageWarmerStatus, type WarmerImage } from '../../domain/image-warmer.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { ClusterRow } from './cluster-repo.js';
import { ClusterNotFoundError } from './cluster-service.js';
import type { ImageWarmerRepo, ImageWarmerStateRow } from './image-warmer-repo.js';

export interface ImageWarmerServiceDeps {
  repo: ImageWarmerRepo;
  clusters: { listAll(): Promise<ClusterRow[]>; findByName(name: string): Promise<ClusterRow | undefined> };
  /** The DaemonSet calls on a kubeconfig cluster, with its stored credentials. */
  connect(cluster: ClusterRow): DaemonSetApi | Promise<DaemonSetApi>;
  /** The image `runtime` runs as on `cluster` (its overrides and mirror applied); null = none (runs on a host). */
  imageOf(cluster: ClusterRow, runtime: string): string | null;
  /** Pause image, pull secrets and node choice of a cluster; default: upstream pause, no secret, GPU nodes. */
  renderOptions?(cluster: ClusterRow): WarmerSyncInput['render'];
  now?: () => Date;
  logger?: Logger;
  /** Clusters synced at once. */
  concurrency?: number;
  /** Deadline of one cluster's sync, all calls together. */
  timeoutMs?: number;
}

/** The clusters that can have a warmer: reached directly with a kubeconfig. */
const warmable = (cluster: ClusterRow) => cluster.connectionKind === 'kubeconfig';
const namespaceOf = (cluster: ClusterRow) => cluster.connection.namespace ?? DEFAULT_CLUSTER_NAMESPACE;

/** The images the deployments on a cluster need, each with the runtimes that use it, sorted. */
export function imagesInUse(runtimes: Iterable<string>, imageOf: (runtime: string) => string | null): WarmerImage[] {
  const byImage = new Map<string, string[]>();
  for (const runtime of [...runtimes].sort()) {
    const image = imageOf(runtime);
    if (image !== null) byImage.set(image, [...(byImage.get(image) ?? []), runtime]);
  }
  return [...byImage.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([image, users]) => ({ image, runtimes: users }));
}

/**
 * Keeps each kubeconfig cluster's image warmer in line with the runtimes deployed there
 * (`syncAll`, run by the image-warmer loop), and tells the cluster page how it stands (`status`).
 * What the loop found is stored, so every instance shows the same.
 */
export function createImageWarmerService(deps: ImageWarmerServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const concurrency = deps.concurrency ?? 4;

  function why(error: unknown, cluster: ClusterRow): string {
    if (error instanceof ForeignDaemonSetError || error instanceof DeadlineError) return error.message;
    // A missing permission (ClusterForbiddenError) names it.
    if (error instanceof AppError && error.expose) return error.message.replace(/\.$/, '');
    // The workload client words each failed call itself ("Kubernetes get daemonsets.apps in hmas failed: …").
    if (error instanceof Error && error.cause !== undefined && error.message.startsWith('Kubernetes ')) return error.message.replace(/\.$/, '');
    return describeKubeError(error, cluster.connection.server ?? 'the API server', timeoutMs, (unexpected) =>
      deps.logger?.warn({ err: unexpected, cluster: cluster.name }, 'unexpected error while syncing the image warmer'),
    );
  }

  async function syncCluster(cluster: ClusterRow, runtimes: Set<string>, previous: ImageWarmerStateRow | undefined, signal: AbortSignal): Promise<void> {
    const wanted = imagesInUse(runtimes, (runtime) => deps.imageOf(cluster, runtime));
    const images = cluster.imagePrecache ? wanted : [];
    const at = now();
    // Nothing wanted and no DaemonSet of ours known to exist: no call to the cluster at all.
    if (images.length === 0 && (previous === undefined || (previous.namespace === null && (previous.phase === 'off' || previous.phase === 'idle')))) {
      await deps.repo.save({
        clusterId: cluster.id,
        phase: cluster.imagePrecache ? 'idle' : 'off',
        namespace: null,
        images: [],
        desiredNodes: 0,
        readyNodes: 0,
        updatedNodes: 0,
        lastError: null,
        lastSyncAt: at,
        lastChangeAt: previous?.lastChangeAt ?? null,
      });
      return;
    }
    try {
      const api = await deps.connect(cluster);
      const sync = syncImageWarmer(api, {
          cluster: cluster.name,
          namespace: namespaceOf(cluster),
          enabled: cluster.imagePrecache,
          images: images.map((entry) => entry.image),
          previousNamespace: previous?.namespace ?? undefined,
          ...(deps.renderOptions ? { render: deps.renderOptions(cluster) } : {}),
      });
      const result = await withDeadline(sync, timeoutMs, `the sync did not finish within ${timeoutMs / 1000} s`);
      if (result.change) deps.logger?.info({ cluster: cluster.name, change: result.change, images: result.images }, 'image warmer changed');
      await deps.repo.save({
        clusterId: cluster.id,
        phase: result.phase,
        namespace: result.daemonSet ? namespaceOf(cluster) : null,
        images,
        desiredNodes: result.nodes.desired,
        readyNodes: result.nodes.ready,
        updatedNodes: result.nodes.updated,
        lastError: null,
        lastSyncAt: at,
        lastChangeAt: result.change ? at : (previous?.lastChangeAt ?? null),
      });
    } catch (error) {
      // Stopped by shutdown: the cluster did not fail.
      if (signal.aborted) return;
      const message = why(error, cluster);
      if (message !== previous?.lastError) deps.logger?.warn({ cluster: cluster.name, reason: message }, 'image warmer sync failed');
      await deps.repo.save({
        clusterId: cluster.id,
        namespace: previous?.namespace ?? null,
        desiredNodes: previous?.desiredNodes ?? 0,
        readyNodes: previous?.readyNodes ?? 0,
        updatedNodes: previous?.updatedNodes ?? 0,
        lastChangeAt: previous?.lastChangeAt ?? null,
        images,
        phase: 'error',
        lastError: message,
        lastSyncAt: at,
      });
    }
  }

  return {
    /** One pass over every kubeconfig cluster, a few at a time. */
    async syncAll(signal: AbortSignal): Promise<void> {
      const [clusters, runtimes, states] = await Promise.all([deps.clusters.listAll(), deps.repo.runtimesByCluster(), deps.repo.all()]);
      const previous = new Map(states.map((state) => [state.clusterId, state]));
      const queue = clusters.filter(warmable);
      let next = 0;
      const worker = async () => {
        while (next < queue.length && !signal.aborted) {
          const cluster = queue[next++]!;
          await syncCluster(cluster, runtimes.get(cluster.id) ?? new Set(), previous.get(cluster.id), signal);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    },

    /** How a cluster's warmer stands, as last synced. 404 for an unknown cluster. */
    async status(name: string): Promise<ImageWarmerStatus> {
      const cluster = await deps.clusters.findByName(name);
      if (!cluster) throw new ClusterNotFoundError(name);
      const state = warmable(cluster) ? await deps.repo.find(cluster.id) : undefined;
      const phase = !warmable(cluster) ? 'unsupported' : (state?.phase ?? 'pending');
      const nodes = { desired: state?.desiredNodes ?? 0, ready: state?.readyNodes ?? 0, updated: state?.updatedNodes ?? 0 };
      const images = state?.images ?? [];
      return {
        cluster: cluster.name,
        enabled: cluster.imagePrecache,
        phase,
        message: phase === 'error' && state?.lastError ? `The last sync failed: ${state.lastError}.` : describeWarmerPhase(phase, nodes, images.length),
        namespace: warmable(cluster) ? (state?.namespace ?? namespaceOf(cluster)) : null,
        daemonSet: state?.namespace ? IMAGE_WARMER_NAME : null,
        images,
        nodes,
        lastError: state?.lastError ?? null,
        lastSyncAt: state?.lastSyncAt.toISOString() ?? null,
        lastChangeAt: state?.lastChangeAt?.toISOString() ?? null,
      };
    },
  };
}
export type ImageWarmerService = ReturnType<typeof createImageWarmerService>;
