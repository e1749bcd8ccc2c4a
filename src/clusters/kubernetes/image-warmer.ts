import { daemonSetPhase, type ImageWarmerNodes, type ImageWarmerPhase } from '../../domain/image-warmer.js';
import { IMAGE_WARMER_NAME, normalizeWarmerImages, renderImageWarmer, type DaemonSetManifest, type ImageWarmerInput } from './image-warmer-manifest.js';

/** A DaemonSet as the warmer reads it back. */
export interface DaemonSetFacts {
  namespace: string;
  name: string;
  resourceVersion: string;
  /** `app.kubernetes.io/managed-by: hmas`: someone else's object of the same name is left alone. */
  managedByHmas: boolean;
  /** The warmer's hash annotation, if any. */
  hash: string | undefined;
  generation: number;
  observedGeneration: number;
  desired: number;
  ready: number;
  updated: number;
}

/** The DaemonSet calls the warmer makes (implemented by the Kubernetes client). */
export interface DaemonSetApi {
  /** Creates the namespace unless it exists. */
  ensureNamespace(namespace: string, signal: AbortSignal): Promise<void>;
  /** Undefined when there is no such DaemonSet (or no such namespace). */
  readDaemonSet(namespace: string, name: string, signal: AbortSignal): Promise<DaemonSetFacts | undefined>;
  createDaemonSet(manifest: DaemonSetManifest, signal: AbortSignal): Promise<DaemonSetFacts>;
  /** PUT with the manifest's `metadata.resourceVersion`: a concurrent change fails with 409. */
  replaceDaemonSet(manifest: DaemonSetManifest, signal: AbortSignal): Promise<DaemonSetFacts>;
  /** False when it was already gone. Pods go with it (background propagation). */
  deleteDaemonSet(namespace: string, name: string, signal: AbortSignal): Promise<boolean>;
}

export interface WarmerSyncInput {
  cluster: string;
  namespace: string;
  enabled: boolean;
  /** The images in use on the cluster (mirror applied); empty = nothing to warm. */
  images: readonly string[];
  /** Where an earlier sync put the DaemonSet, when the cluster's namespace changed since. */
  previousNamespace?: string | undefined;
  render?: Pick<ImageWarmerInput, 'pauseImage' | 'imagePullSecrets' | 'nodeAffinity'>;
}

export interface WarmerSyncResult {
  phase: Extract<ImageWarmerPhase, 'off' | 'idle' | 'warming' | 'ready' | 'noNodes'>;
  images: string[];
  nodes: ImageWarmerNodes;
  /** Set while a DaemonSet exists. */
  daemonSet: string | undefined;
  /** What this sync did to the cluster. */
  change: 'created' | 'replaced' | 'removed' | undefined;
}

/** Someone else's DaemonSet under the warmer's name: H-MAS neither replaces nor deletes it. */
export class ForeignDaemonSetError extends Error {
  constructor(namespace: string) {
    super(`a DaemonSet named ${IMAGE_WARMER_NAME} in namespace ${namespace} is not managed by H-MAS (no label app.kubernetes.io/managed-by=hmas); rename or remove it`);
    this.name = 'ForeignDaemonSetError';
  }
}

export type WarmerAction = 'create' | 'replace' | 'delete' | 'keep' | 'none';

/** What to do, given the hash to run (undefined: no warmer wanted) and the DaemonSet found. Pure. */
export function planImageWarmer(desiredHash: string | undefined, observed: Pick<DaemonSetFacts, 'hash' | 'managedByHmas' | 'namespace'> | undefined): WarmerAction {
  if (observed && !observed.managedByHmas) throw new ForeignDaemonSetError(observed.namespace);
  if (desiredHash === undefined) return observed ? 'delete' : 'none';
  if (!observed) return 'create';
  return observed.hash === desiredHash ? 'keep' : 'replace';
}

const NO_NODES: ImageWarmerNodes = { desired: 0, ready: 0, updated: 0 };
const nodesOf = (facts: DaemonSetFacts): ImageWarmerNodes => ({ desired: facts.desired, ready: facts.ready, updated: facts.updated });

/**
 * Brings one cluster's warmer in line: the DaemonSet exists with exactly the images in use, or
 * not at all when there are none or the warmer is off. Idempotent; an API error is thrown as it
 * came (the caller words it with `describeKubeError`).
 */
export async function syncImageWarmer(api: DaemonSetApi, input: WarmerSyncInput, signal: AbortSignal): Promise<WarmerSyncResult> {
  const images = input.enabled ? normalizeWarmerImages(input.images) : [];
  let change: WarmerSyncResult['change'];
  if (input.previousNamespace !== undefined && input.previousNamespace !== input.namespace) {
    const left = await api.readDaemonSet(input.previousNamespace, IMAGE_WARMER_NAME, signal);
    if (left && planImageWarmer(undefined, left) === 'delete' && (await api.deleteDaemonSet(left.namespace, left.name, signal))) change = 'removed';
  }
  const desired = images.length > 0 ? renderImageWarmer({ ...input.render, cluster: input.cluster, namespace: input.namespace, images }) : undefined;
  const observed = await api.readDaemonSet(input.namespace, IMAGE_WARMER_NAME, signal);
  const action = planImageWarmer(desired?.hash, observed);
  const none = (): WarmerSyncResult => ({ phase: input.enabled ? 'idle' : 'off', images, nodes: NO_NODES, daemonSet: undefined, change });

  switch (action) {
    case 'none':
      return none();
    case 'delete':
      if (await api.deleteDaemonSet(input.namespace, IMAGE_WARMER_NAME, signal)) change = 'removed';
      return none();
    case 'keep':
    case 'create':
    case 'replace': {
      let facts = observed;
      if (action === 'create') {
        await api.ensureNamespace(input.namespace, signal);
        facts = await api.createDaemonSet(desired!.daemonSet, signal);
        change = 'created';
      } else if (action === 'replace') {
        const manifest: DaemonSetManifest = { ...desired!.daemonSet, metadata: { ...desired!.daemonSet.metadata, resourceVersion: observed!.resourceVersion } };
        facts = await api.replaceDaemonSet(manifest, signal);
        change = 'replaced';
      }
      const current = facts!.observedGeneration >= facts!.generation && change === undefined;
      return { phase: daemonSetPhase({ ...nodesOf(facts!), current }), images, nodes: nodesOf(facts!), daemonSet: IMAGE_WARMER_NAME, change };
    }
  }
}
