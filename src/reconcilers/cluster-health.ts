import type { Reconciler } from './reconciler.js';

/** Every minute: tests every cluster this instance may test and records readiness and inventory. */
export function clusterHealth(deps: { clusters: { refreshAll(signal?: AbortSignal): Promise<unknown> } }): Reconciler {
  return {
    name: 'cluster-health',
    intervalMs: 60_000,
    needsLeader: false,
    touches: 'clusters (readiness, last test, inventory)',
    tick: async (signal) => void (await deps.clusters.refreshAll(signal)),
  };
}
