import { z } from 'zod';

/**
 * The image warmer of a cluster, as the cluster page shows it: a DaemonSet that keeps the images
 * of the runtimes deployed there pulled on every GPU node. On while the cluster's `imagePrecache`
 * is on, for clusters reached with a kubeconfig.
 */

/** How often the warmer compares the images in use with what its DaemonSet pulls. */
export const IMAGE_WARMER_INTERVAL_MS = 60_000;

export const IMAGE_WARMER_PHASES = [
  /** Not synced yet (the loop runs every minute). */
  'pending',
  /** The cluster's kind has no warmer: the local host, agents, Karmada members. */
  'unsupported',
  /** Image pre-caching is off for the cluster: no DaemonSet. */
  'off',
  /** No deployment on the cluster runs a runtime with an image: no DaemonSet. */
  'idle',
  /** The DaemonSet is pulling: not every selected node has a ready, up-to-date pod. */
  'warming',
  /** Every selected node has the images. */
  'ready',
  /** The DaemonSet selects no node: no node is labelled as a GPU node. */
  'noNodes',
  /** The last sync failed; `lastError` says why and the DaemonSet is as it was. */
  'error',
] as const;
export type ImageWarmerPhase = (typeof IMAGE_WARMER_PHASES)[number];

export const warmerImageSchema = z.object({
  image: z.string().describe('The reference the nodes pull (with the cluster\'s mirror applied).'),
  runtimes: z.array(z.string()).describe('The runtimes of the cluster\'s deployments that use it.'),
});
export type WarmerImage = z.infer<typeof warmerImageSchema>;

export const imageWarmerNodesSchema = z.object({
  desired: z.number().int().describe('Nodes the DaemonSet selects (GPU nodes).'),
  ready: z.number().int().describe('Of those, nodes whose warmer pod is ready: every image pulled.'),
  updated: z.number().int().describe('Of those, nodes running the current image set.'),
});
export type ImageWarmerNodes = z.infer<typeof imageWarmerNodesSchema>;

export const imageWarmerStatusSchema = z.object({
  cluster: z.string(),
  enabled: z.boolean().describe('The cluster\'s imagePrecache setting.'),
  phase: z.enum(IMAGE_WARMER_PHASES),
  message: z.string(),
  namespace: z.string().nullable(),
  daemonSet: z.string().nullable().describe('Name of the DaemonSet while there is one.'),
  images: z.array(warmerImageSchema),
  nodes: imageWarmerNodesSchema,
  lastError: z.string().nullable(),
  lastSyncAt: z.string().nullable().describe('When the warmer last compared the cluster with the images in use.'),
  lastChangeAt: z.string().nullable().describe('When it last created, updated or removed the DaemonSet.'),
});
export type ImageWarmerStatus = z.infer<typeof imageWarmerStatusSchema>;

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The phase of a DaemonSet that exists, from its status. */
export function daemonSetPhase(status: ImageWarmerNodes & { current: boolean }): Extract<ImageWarmerPhase, 'warming' | 'ready' | 'noNodes'> {
  if (status.desired === 0) return status.current ? 'noNodes' : 'warming';
  return status.current && status.ready >= status.desired && status.updated >= status.desired ? 'ready' : 'warming';
}

/** What the cluster page says for a phase. */
export function describeWarmerPhase(phase: ImageWarmerPhase, nodes: ImageWarmerNodes, imageCount: number): string {
  switch (phase) {
    case 'pending':
      return 'Not checked yet: the warmer looks at each cluster every minute.';
    case 'unsupported':
      return 'Only clusters reached with a kubeconfig have an image warmer.';
    case 'off':
      return 'Image pre-caching is off for this cluster.';
    case 'idle':
      return 'No deployment on this cluster runs a container image: nothing to pull.';
    case 'warming':
      return `Pulling ${plural(imageCount, 'image')}: ${nodes.ready} of ${plural(nodes.desired, 'GPU node')} ready.`;
    case 'ready':
      return `${plural(imageCount, 'image')} pulled on ${plural(nodes.desired, 'GPU node')}.`;
    case 'noNodes':
      return 'No node is labelled as a GPU node: nvidia.com/gpu.present=true (GPU Feature Discovery), feature.node.kubernetes.io/pci-10de.present=true (Node Feature Discovery) or cloud.google.com/gke-accelerator.';
    case 'error':
      return 'The last sync failed; the DaemonSet is as it was.';
  }
}
