import type { Reconciler } from './reconciler.js';

/**
 * Every `intervalMs`: writes the API key uses noted since the last run, with one last flush
 * after the loop stops, so a graceful shutdown loses no use noted before the loops stop.
 */
export function apiKeyLastUsed(deps: { recorder: { flush(): Promise<void> }; intervalMs: number }): Reconciler {
  return {
    name: 'api-key-last-used',
    intervalMs: deps.intervalMs,
    needsLeader: false,
    touches: 'api_keys (last_used_at)',
    tick: () => deps.recorder.flush(),
    afterStop: () => deps.recorder.flush(),
  };
}
