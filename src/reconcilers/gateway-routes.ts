import type { Reconciler } from './reconciler.js';

/**
 * Every second: reloads this instance's gateway route table. Every instance routes for itself,
 * so this loop runs on every instance, never only on a leader.
 */
export function gatewayRoutes(deps: { reload(): Promise<void> }): Reconciler {
  return {
    name: 'gateway-routes',
    intervalMs: 1_000,
    needsLeader: false,
    touches: "this instance's gateway route table (memory)",
    runImmediately: true,
    tick: () => deps.reload(),
  };
}
