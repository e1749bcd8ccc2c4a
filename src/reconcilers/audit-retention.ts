import type { Logger } from '../lib/logger.js';
import type { Reconciler } from './reconciler.js';

/** Hourly: deletes audit log entries older than the retention. */
export function auditRetention(deps: { audit: { purgeOlderThan(days: number): Promise<number> }; retentionDays: number; logger: Logger }): Reconciler {
  return {
    name: 'audit-retention',
    intervalMs: 3600_000,
    needsLeader: false,
    touches: 'audit_logs (deletes old rows)',
    runImmediately: true,
    async tick() {
      const deleted = await deps.audit.purgeOlderThan(deps.retentionDays);
      if (deleted > 0) deps.logger.info({ deleted, retentionDays: deps.retentionDays }, 'deleted old audit log entries');
    },
  };
}
