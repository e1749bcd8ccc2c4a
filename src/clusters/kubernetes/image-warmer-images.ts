import type { KubernetesWorkloadSettings } from '../../domain/cluster.js';
import type { RuntimeId } from '../../domain/optimization.js';
import { SELF_PROGRAM } from '../../domain/workload.js';
import { DEFAULT_WARMER_PAUSE_IMAGE, type ImageWarmerInput } from './image-warmer-manifest.js';
import { DEFAULT_SELF_IMAGE, mirrorImage, type RuntimeImages } from './workload-image.js';

/**
 * The image a runtime's replicas run on a cluster, as the driver's `containerProgram` picks it:
 * H-MAS's own image for a runtime that runs the hmas CLI (the embedded one), else the cluster's
 * override or the official image; the registry mirror applied. Null: no image (none is known).
 */
export function runtimeImageOn(runtime: RuntimeId, images: RuntimeImages, settings: Partial<KubernetesWorkloadSettings> = {}): string | null {
  const entry = images[runtime];
  const image = entry?.hostCommand[0] === SELF_PROGRAM ? (settings.selfImage ?? DEFAULT_SELF_IMAGE) : (settings.images?.[runtime] ?? entry?.image ?? null);
  return image === null ? null : mirrorImage(image, settings.registryMirror);
}

/** The warmer's pause image and pull secret on a cluster: through its mirror, with its secret. */
export function warmerRenderOptions(settings: Partial<KubernetesWorkloadSettings> = {}): Pick<ImageWarmerInput, 'pauseImage' | 'imagePullSecrets'> {
  return {
    pauseImage: mirrorImage(DEFAULT_WARMER_PAUSE_IMAGE, settings.registryMirror),
    ...(settings.imagePullSecret ? { imagePullSecrets: [settings.imagePullSecret] } : {}),
  };
}
