import { daemonSetPhase, type ImageWarmerNodes, type ImageWarmerPhase } from '../../domain/image-warmer.js';
import { IMAGE_WARMER_NAME, normalizeWarmerImages, renderImageWarmer, type DaemonSetManifest, type ImageWarmerInput } from './image-warmer-manifest.js';

/** A DaemonSet as the warmer reads it back. */
export interface DaemonSetFacts {
  namespace: string;
  name: string;
  /** `app.kubernetes.io/managed-by: hmas`: someone else's object of the same name is left alone. */
  managedByHmas: boolean;
  /** Being deleted (a deletion timestamp): it is neither kept nor replaced, only waited for. */
  deleting: boolean;
  /** The warmer's hash annotation, if any. */
  hash: string | undefined;
  generation: number;
  observedGeneration: number;
  desired: number;
  ready: number;
  updated: number;
}

/** The DaemonSet calls the warmer makes (the Kubernetes workload client, through `daemonSetApiOf`). */
export interface DaemonSetApi {
  /** Creates the namespace unless it exists. */
  ensureNamespace(namespace: string): Promise<void>;
  /** Undefined when there is no such DaemonSet (or no such namespace). */
  readDaemonSet(namespace: string, name: string): Promise<DaemonSetFacts | undefined>;
  /** Creates or replaces it, and answers what the cluster then holds. */
  applyDaemonSet(manifest: DaemonSetManifest): Promise<DaemonSetFacts>;
  /** False when it was already gone. Its pods go with it. */
  deleteDaemonSet(namespace: string, name: string): Promise<boolean>;
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

export type WarmerAction = 'create' | 'replace' | 'delete' | 'keep' | 'none' | 'wait';

/** What to do, given the hash to run (undefined: no warmer wanted) and the DaemonSet found. Pure. */
export function planImageWarmer(desiredHash: string | undefined, observed: Pick<DaemonSetFacts, 'hash' | 'managedByHmas' | 'namespace' | 'deleting'> | undefined): WarmerAction {
  if (observed && !observed.managedByHmas) throw new ForeignDaemonSetError(observed.namespace);
  // An earlier delete is still under way: a new one would do nothing, a create would fail.
  if (observed?.deleting) return desiredHash === undefined ? 'none' : 'wait';
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
export async function syncImageWarmer(api: DaemonSetApi, input: WarmerSyncInput): Promise<WarmerSyncResult> {
  const images = input.enabled ? normalizeWarmerImages(input.images) : [];
  let change: WarmerSyncResult['change'];
  if (input.previousNamespace !== undefined && input.previousNamespace !== input.namespace) {
    const left = await api.readDaemonSet(input.previousNamespace, IMAGE_WARMER_NAME);
    if (left && planImageWarmer(undefined, left) === 'delete' && (await api.deleteDaemonSet(left.namespace, left.name))) change = 'removed';
  }
  const desired = images.length > 0 ? renderImageWarmer({ ...input.render, cluster: input.cluster, namespace: input.namespace, images }) : undefined;
  const observed = await api.readDaemonSet(input.namespace, IMAGE_WARMER_NAME);
  const action = planImageWarmer(desired?.hash, observed);
  const none = (): WarmerSyncResult => ({ phase: input.enabled ? 'idle' : 'off', images, nodes: NO_NODES, daemonSet: undefined, change });

  switch (action) {
    case 'none':
      return none();
    case 'delete':
      if (await api.deleteDaemonSet(input.namespace, IMAGE_WARMER_NAME)) change = 'removed';
      return none();
    case 'wait':
      // Created on a later pass, once the old one is gone.
      return { phase: 'warming', images, nodes: NO_NODES, daemonSet: undefined, change };
    case 'keep':
    case 'create':
    case 'replace': {
      let facts = observed;
      if (action !== 'keep') {
        if (action === 'create') await api.ensureNamespace(input.namespace);
        facts = await api.applyDaemonSet(desired!.daemonSet);
        change = action === 'create' ? 'created' : 'replaced';
      }
      const current = facts!.observedGeneration >= facts!.generation && change === undefined;
      return { phase: daemonSetPhase({ ...nodesOf(facts!), current }), images, nodes: nodesOf(facts!), daemonSet: IMAGE_WARMER_NAME, change };
    }
  }
}
