import type { Reconciler } from './reconciler.js';

/**
 * Every 10 s: follows the progressing rollouts — succeeded once the new replicas are ready,
 * rolled back automatically when they crash-loop, are OOM-killed or miss their deadline after the
 * startup grace. `now` is injectable so tests move the clock past the grace instead of sleeping.
 */
export function rolloutMonitor(deps: { rollouts: { check(now: Date, signal?: AbortSignal): Promise<void> }; now?: () => Date; intervalMs?: number }): Reconciler {
  const now = deps.now ?? (() => new Date());
  return {
    name: 'rollout-monitor',
    intervalMs: deps.intervalMs ?? 10_000,
    needsLeader: true,
    touches: 'deployment_rollouts, deployment_config_history; deployments (automatic rollbacks through the update path); audit log',
    tick: (signal) => deps.rollouts.check(now(), signal),
  };
}
