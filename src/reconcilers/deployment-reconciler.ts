import type { ClusterScope } from '../domain/loops.js';
import type { Reconciler } from './reconciler.js';

/**
 * Every HMAS_RECONCILE_INTERVAL_MS: observes deployments, saves what it sees, finishes
 * interrupted deletes and re-applies what a cluster lost or changed. `shared`
 * (`deployment-reconciler`): deployments on clusters reached over the network, on the leader
 * only — two instances would re-apply the same workload and fight over its status. `owned`
 * (`local-deployment-reconciler`): deployments on the local cluster, on the instance that owns
 * its replicas (no other may touch them), leader or not.
 */
export function deploymentReconciler(
  deps: { deployments: { reconcile(signal?: AbortSignal, scope?: ClusterScope): Promise<void> }; intervalMs: number },
  scope: ClusterScope = 'shared',
): Reconciler {
  return {
    name: scope === 'shared' ? 'deployment-reconciler' : 'local-deployment-reconciler',
    intervalMs: deps.intervalMs,
    needsLeader: scope === 'shared',
    touches:
      scope === 'shared'
        ? "deployments on remote clusters (status, endpoints, failures; deletes finished ones) and those clusters' workloads"
        : "deployments on cluster local (status, endpoints, failures; deletes finished ones) and this host's replicas",
    tick: (signal) => deps.deployments.reconcile(signal, scope),
  };
}
