import type { AuditEntry, AuditQuery } from '../../domain/audit.js';
import type { Page } from '../../domain/pagination.js';
import type { AuditRepo, AuditRow } from './audit-repo.js';
import { purgeInBatches } from '../../lib/batched-purge.js';

export interface AuditRecord {
  actorId: string | null;
  actorUsername: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  outcome: 'success' | 'failure';
  statusCode: number;
  clientIp: string | null;
  requestId: string | null;
  /** Human-readable, and never containing secrets: callers name changed fields, not values. */
  summary: string;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: String(row.id),
    createdAt: row.createdAt.toISOString(),
    actorId: row.actorId,
    actorUsername: row.actorUsername,
    action: row.action,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    outcome: row.outcome,
    statusCode: row.statusCode,
    clientIp: row.clientIp,
    requestId: row.requestId,
    summary: row.summary,
  };
}

export function createAuditService(deps: { repo: AuditRepo; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    async record(record: AuditRecord): Promise<void> {
      await deps.repo.insert({ ...record, summary: record.summary.slice(0, 1000), createdAt: now() });
    },
    async list(query: AuditQuery): Promise<Page<AuditEntry>> {
      const { rows, total } = await deps.repo.list(query);
      return { items: rows.map(toEntry), total, limit: query.limit, offset: query.offset };
    },
    /** Retention: deletes entries older than `days` in batches, so no delete locks the table for long. */
    async purgeOlderThan(days: number, batchSize = 1000): Promise<number> {
      return purgeInBatches((cutoff, size) => deps.repo.deleteOlderThan(cutoff, size), { days, now: now(), batchSize });
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
