import type { ClusterScope } from '../domain/loops.js';
import type { Reconciler } from './reconciler.js';

/**
 * Every minute (and at start): copies the clusters' events into `deployment_events` — one read
 * per cluster, deduplicated by fingerprint — so they outlive the cluster's own (Kubernetes keeps
 * an hour). `shared` (`event-copy`): the clusters reached over the network, on the leader only —
 * two instances would read every cluster twice. `owned` (`local-event-copy`): cluster local, on
 * the instance that owns its replicas (no other has their events), leader or not.
 */
export function eventCopy(
  deps: { copier: { copyAll(signal: AbortSignal, scope: ClusterScope): Promise<void> }; intervalMs?: number },
  scope: ClusterScope = 'shared',
): Reconciler {
  return {
    name: scope === 'shared' ? 'event-copy' : 'local-event-copy',
    intervalMs: deps.intervalMs ?? 60_000,
    needsLeader: scope === 'shared',
    touches: `deployment_events of deployments on ${scope === 'shared' ? 'remote clusters' : 'cluster local'} (inserts new events, raises count and last seen of known ones)`,
    runImmediately: true,
    tick: (signal) => deps.copier.copyAll(signal, scope),
  };
}
