import type { Reconciler } from './reconciler.js';

/**
 * Every HMAS_RECONCILE_INTERVAL_MS: observes every deployment this instance acts on, saves what
 * it sees, finishes interrupted deletes and re-applies what a cluster lost or changed.
 */
export function deploymentReconciler(deps: { deployments: { reconcile(signal?: AbortSignal): Promise<void> }; intervalMs: number }): Reconciler {
  return {
    name: 'deployment-reconciler',
    intervalMs: deps.intervalMs,
    needsLeader: false,
    touches: "deployments (status, endpoints, failures; deletes finished ones) and the clusters' workloads",
    tick: (signal) => deps.deployments.reconcile(signal),
  };
}
