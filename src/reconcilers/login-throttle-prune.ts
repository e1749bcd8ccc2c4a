import type { Reconciler } from './reconciler.js';

/** Every minute: drops this instance's login-failure counts whose window has passed. */
export function loginThrottlePrune(deps: { loginThrottle: { prune(): void } }): Reconciler {
  return {
    name: 'login-throttle-prune',
    intervalMs: 60_000,
    needsLeader: false,
    touches: "this instance's login throttle (memory)",
    tick: async () => void deps.loginThrottle.prune(),
  };
}
