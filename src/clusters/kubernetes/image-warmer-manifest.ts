import { createHash } from 'node:crypto';

/**
 * The image warmer: one DaemonSet per cluster that keeps the images of the runtimes in use pulled
 * on every GPU node, so a new replica starts without a multi-gigabyte pull. Each image gets an
 * init container that runs a no-op and exits (pulling is what the kubelet does before starting
 * it); a pause container then keeps the pod — and so its exited init containers, whose images
 * the kubelet's image garbage collector leaves alone while they exist — alive.
 */

export const IMAGE_WARMER_NAME = 'hmas-image-warmer';
/** sha256 (16 hex) of the rendered selector and pod template: a different value means re-apply. */
export const IMAGE_WARMER_HASH_ANNOTATION = 'hmas.io/warmer-hash';
/** The pause image upstream Kubernetes uses; every cluster's mirror override applies to it too. */
export const DEFAULT_WARMER_PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

/** What every warmer container gets: next to nothing, so a warmer never competes with a model. */
export const IMAGE_WARMER_RESOURCES = Object.freeze({
  requests: Object.freeze({ memory: '4Mi' }),
  limits: Object.freeze({ memory: '32Mi', cpu: '10m' }),
});

/** The no-op each init container runs: every official runtime image has a POSIX shell. */
export const IMAGE_WARMER_NOOP = Object.freeze(['/bin/sh', '-c', 'true']);

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}
export interface NodeAffinityManifest {
  requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: NodeSelectorTerm[] };
}

/**
 * GPU nodes, told by labels (a scheduler cannot select on allocatable resources, and asking for
 * `nvidia.com/gpu` would take a GPU away from the models): the label NVIDIA's GPU Feature
 * Discovery (and so the GPU Operator) sets, the one Node Feature Discovery sets for a PCI device of
 * NVIDIA's vendor id (10de), and GKE's accelerator label. The terms are ORed.
 */
export const GPU_NODE_AFFINITY: NodeAffinityManifest = Object.freeze({
  requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: [
      { matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }] },
      { matchExpressions: [{ key: 'feature.node.kubernetes.io/pci-10de.present', operator: 'In', values: ['true'] }] },
      { matchExpressions: [{ key: 'cloud.google.com/gke-accelerator', operator: 'Exists' }] },
    ],
  },
}) as NodeAffinityManifest;

/** GPU nodes are commonly tainted so that only GPU workloads land there; the warmer must too. */
export const GPU_TOLERATIONS = Object.freeze([{ key: 'nvidia.com/gpu', operator: 'Exists' }]) as ReadonlyArray<{ key: string; operator: 'Exists' }>;

interface ContainerManifest {
  name: string;
  image: string;
  imagePullPolicy: 'IfNotPresent';
  command?: string[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: { allowPrivilegeEscalation: false; readOnlyRootFilesystem: true; capabilities: { drop: ['ALL'] } };
}

/** An `apps/v1` DaemonSet as the Kubernetes API takes it (only the fields the warmer sets). */
export interface DaemonSetManifest {
  apiVersion: 'apps/v1';
  kind: 'DaemonSet';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    selector: { matchLabels: Record<string, string> };
    updateStrategy: { type: 'RollingUpdate'; rollingUpdate: { maxUnavailable: string } };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        affinity: { nodeAffinity: NodeAffinityManifest };
        tolerations: Array<{ key: string; operator: 'Exists' }>;
        imagePullSecrets?: Array<{ name: string }>;
        initContainers: ContainerManifest[];
        containers: ContainerManifest[];
        automountServiceAccountToken: false;
        enableServiceLinks: false;
        dnsPolicy: 'Default';
        terminationGracePeriodSeconds: number;
        securityContext: { runAsNonRoot: true; runAsUser: number; runAsGroup: number };
      };
    };
  };
}

export interface ImageWarmerInput {
  /** The H-MAS cluster's name (a DNS-1123 label, so a valid label value). */
  cluster: string;
  namespace: string;
  /** The images to keep pulled, with the cluster's mirror and overrides already applied. */
  images: readonly string[];
  /** The long-running container's image (default {@link DEFAULT_WARMER_PAUSE_IMAGE}). */
  pauseImage?: string;
  /** Pull secrets in the namespace (a private registry or mirror). */
  imagePullSecrets?: readonly string[];
  /** Which nodes (default {@link GPU_NODE_AFFINITY}); tests on a node without GPUs name it. */
  nodeAffinity?: NodeAffinityManifest;
}

export const imageWarmerSelector = (): Record<string, string> => ({ 'app.kubernetes.io/name': IMAGE_WARMER_NAME, 'app.kubernetes.io/managed-by': 'hmas' });

const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;

/** The images, without duplicates, in a stable order (so the same set always renders the same). */
export function normalizeWarmerImages(images: readonly string[]): string[] {
  for (const image of images) {
    if (image.length > 512 || !IMAGE_REFERENCE.test(image)) throw new Error(`"${image.slice(0, 80)}" is not a container image reference.`);
  }
  return [...new Set(images)].sort();
}

function container(name: string, image: string, command?: readonly string[]): ContainerManifest {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    ...(command ? { command: [...command] } : {}),
    resources: { requests: { ...IMAGE_WARMER_RESOURCES.requests }, limits: { ...IMAGE_WARMER_RESOURCES.limits } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  };
}

const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value), 'utf8').digest('hex').slice(0, 16);

/**
 * The warmer's DaemonSet for a non-empty set of images, and its hash (also in the
 * {@link IMAGE_WARMER_HASH_ANNOTATION} annotation). Pure. Images are pulled one after the other,
 * in sorted order; a rolling update replaces a quarter of the nodes' pods at a time.
 */
export function renderImageWarmer(input: ImageWarmerInput): { daemonSet: DaemonSetManifest; hash: string } {
  const images = normalizeWarmerImages(input.images);
  if (images.length === 0) throw new Error('An image warmer needs at least one image.');
  const selector = imageWarmerSelector();
  const labels = { ...selector, 'app.kubernetes.io/component': 'image-warmer', 'app.kubernetes.io/part-of': 'hmas', 'hmas.io/cluster': input.cluster };
  const pullSecrets = [...new Set(input.imagePullSecrets ?? [])].sort();
  const template: DaemonSetManifest['spec']['template'] = {
    metadata: { labels },
    spec: {
      affinity: { nodeAffinity: structuredClone(input.nodeAffinity ?? GPU_NODE_AFFINITY) },
      tolerations: GPU_TOLERATIONS.map((toleration) => ({ ...toleration })),
      ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) } : {}),
      initContainers: images.map((image, index) => container(`pull-${index + 1}`, image, IMAGE_WARMER_NOOP)),
      containers: [container('pause', input.pauseImage ?? DEFAULT_WARMER_PAUSE_IMAGE)],
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      // Nothing in the pod resolves names; a cluster without cluster DNS needs no special case.
      dnsPolicy: 'Default',
      terminationGracePeriodSeconds: 5,
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 },
    },
  };
  const hash = hashOf({ selector, template });
  return {
    hash,
    daemonSet: {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: IMAGE_WARMER_NAME, namespace: input.namespace, labels, annotations: { [IMAGE_WARMER_HASH_ANNOTATION]: hash } },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%' } },
        template,
      },
    },
  };
}
