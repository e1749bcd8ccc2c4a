import type { Reconciler } from './reconciler.js';
import { retention, type RetentionDeps } from './retention.js';

/** Hourly: deletes audit log entries older than HMAS_AUDIT_RETENTION_DAYS. */
export const auditRetention = (deps: RetentionDeps): Reconciler =>
  retention({ name: 'audit-retention', touches: 'audit_logs (deletes old rows)', what: 'audit log entries' }, deps);
