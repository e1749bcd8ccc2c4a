import type { Logger } from '../lib/logger.js';
import type { Reconciler } from './reconciler.js';

/** What a retention loop needs: the table's purge, how many days to keep, where to log. */
export interface RetentionDeps {
  store: { purgeOlderThan(days: number): Promise<number> };
  retentionDays: number;
  logger: Logger;
}

/** Hourly (and at start): deletes rows older than the retention, logging how many went. */
export function retention(loop: { name: string; touches: string; what: string }, deps: RetentionDeps): Reconciler {
  return {
    name: loop.name,
    intervalMs: 3600_000,
    needsLeader: true,
    touches: loop.touches,
    runImmediately: true,
    async tick() {
      const deleted = await deps.store.purgeOlderThan(deps.retentionDays);
      if (deleted > 0) deps.logger.info({ deleted, retentionDays: deps.retentionDays }, `deleted old ${loop.what}`);
    },
  };
}
