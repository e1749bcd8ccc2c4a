import { IMAGE_WARMER_INTERVAL_MS } from '../domain/image-warmer.js';
import type { Reconciler } from './reconciler.js';

/**
 * Every minute: each kubeconfig cluster's image warmer DaemonSet is made to pull exactly the images
 * of the runtimes deployed there (created, replaced when the set changes, removed when it is empty
 * or the cluster's imagePrecache is off), and what it found is stored for the cluster page.
 * Shaped as a `Reconciler` declaration (src/reconcilers/reconciler.ts).
 */
export function imageWarmerLoop(deps: { warmer: { syncAll(signal: AbortSignal): Promise<void> } }): Reconciler {
  return {
    name: 'image-warmer',
    intervalMs: IMAGE_WARMER_INTERVAL_MS,
    // Two instances would apply the same DaemonSet and race on its resourceVersion.
    needsLeader: true,
    touches: 'image_warmer_states; the hmas-image-warmer DaemonSet in each kubeconfig cluster',
    // A new leader (or a restart) brings the warmers up to date at once, not a minute later.
    runImmediately: true,
    tick: (signal: AbortSignal) => deps.warmer.syncAll(signal),
  };
}
