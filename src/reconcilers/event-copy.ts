import type { Reconciler } from './reconciler.js';

/**
 * Every minute (and at start): copies each cluster's events into `deployment_events` — one read
 * per cluster, deduplicated by fingerprint — so they outlive the cluster's own (Kubernetes keeps
 * an hour). Leader only: two instances would read every cluster twice.
 */
export function eventCopy(deps: { copier: { copyAll(signal: AbortSignal): Promise<void> }; intervalMs?: number }): Reconciler {
  return {
    name: 'event-copy',
    intervalMs: deps.intervalMs ?? 60_000,
    needsLeader: true,
    touches: 'deployment_events (inserts new events, raises count and last seen of known ones)',
    runImmediately: true,
    tick: (signal) => deps.copier.copyAll(signal),
  };
}
