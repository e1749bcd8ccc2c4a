import type { Reconciler } from './reconciler.js';

/**
 * Every HMAS_FAILOVER_INTERVAL_MS (15 s): carries out failover policies — a deployment whose
 * cluster is lost longer than its policy's grace period is moved to another cluster its placement
 * strategy allows, and the copy left behind is removed when that cluster answers again. Leader
 * only: two instances would move the same deployment twice (the database refuses a second move in
 * flight anyway).
 */
export function deploymentFailover(deps: { failover: { run(signal?: AbortSignal): Promise<void> }; intervalMs: number }): Reconciler {
  return {
    name: 'deployment-failover',
    intervalMs: deps.intervalMs,
    needsLeader: true,
    touches: 'deployment_failovers; deployments (cluster, status) moved off lost clusters; workloads on the new cluster and old copies on returned ones; audit log',
    tick: (signal) => deps.failover.run(signal),
  };
}
