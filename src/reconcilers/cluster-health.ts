import type { ClusterScope } from '../domain/loops.js';
import type { Reconciler } from './reconciler.js';

/**
 * Every minute: tests clusters and records readiness and inventory. `shared` (`cluster-health`):
 * the clusters reached over the network, on the leader only — one test per cluster, not one per
 * instance. `owned` (`local-cluster-health`): the local cluster, on the instance that owns it
 * (only it can look at its host), leader or not.
 */
export function clusterHealth(deps: { clusters: { refreshAll(signal?: AbortSignal, scope?: ClusterScope): Promise<unknown> } }, scope: ClusterScope = 'shared'): Reconciler {
  return {
    name: scope === 'shared' ? 'cluster-health' : 'local-cluster-health',
    intervalMs: 60_000,
    needsLeader: scope === 'shared',
    touches: scope === 'shared' ? 'clusters (readiness, last test, inventory)' : 'cluster local (readiness, last test, inventory of this host)',
    tick: async (signal) => void (await deps.clusters.refreshAll(signal, scope)),
  };
}
