import type { Logger } from '../lib/logger.js';
import type { Reconciler } from './reconciler.js';

/** Hourly: deletes inference log entries older than the retention. */
export function inferenceLogRetention(deps: { inferenceLogs: { purgeOlderThan(days: number): Promise<number> }; retentionDays: number; logger: Logger }): Reconciler {
  return {
    name: 'inference-log-retention',
    intervalMs: 3600_000,
    needsLeader: false,
    touches: 'inference_logs (deletes old rows)',
    runImmediately: true,
    async tick() {
      const deleted = await deps.inferenceLogs.purgeOlderThan(deps.retentionDays);
      if (deleted > 0) deps.logger.info({ deleted, retentionDays: deps.retentionDays }, 'deleted old inference log entries');
    },
  };
}
