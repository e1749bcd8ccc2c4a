import { and, count, desc, eq, gte, inArray, like, lt, lte, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { auditLogs } from '../../db/schema/index.js';
import type { AuditQuery } from '../../domain/audit.js';

export type AuditRow = typeof auditLogs.$inferSelect;
export type NewAuditRow = typeof auditLogs.$inferInsert;

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function filters(query: AuditQuery): SQL | undefined {
  const conditions: SQL[] = [];
  if (query.action) {
    // "user." or "user.*" match every user action; anything else is exact.
    const prefix = query.action.endsWith('*') ? query.action.slice(0, -1) : query.action.endsWith('.') ? query.action : undefined;
    conditions.push(prefix !== undefined ? like(auditLogs.action, `${escapeLike(prefix)}%`) : eq(auditLogs.action, query.action));
  }
  if (query.actor) conditions.push(eq(auditLogs.actorUsername, query.actor.toLowerCase()));
  if (query.from) conditions.push(gte(auditLogs.createdAt, new Date(query.from)));
  if (query.to) conditions.push(lte(auditLogs.createdAt, new Date(query.to)));
  return conditions.length > 0 ? and(...conditions) : undefined;
}

export function createAuditRepo(db: Database) {
  return {
    async insert(row: NewAuditRow): Promise<void> {
      await db.insert(auditLogs).values(row);
    },
    async list(query: AuditQuery): Promise<{ rows: AuditRow[]; total: number }> {
      const where = filters(query);
      const [rows, [totals]] = await Promise.all([
        db.select().from(auditLogs).where(where).orderBy(desc(auditLogs.createdAt), desc(auditLogs.id)).limit(query.limit).offset(query.offset),
        db.select({ total: count() }).from(auditLogs).where(where),
      ]);
      return { rows, total: totals?.total ?? 0 };
    },
    /** Deletes up to `batchSize` entries older than `cutoff`; returns how many went. */
    async deleteOlderThan(cutoff: Date, batchSize: number): Promise<number> {
      const oldest = db.select({ id: auditLogs.id }).from(auditLogs).where(lt(auditLogs.createdAt, cutoff)).limit(batchSize);
      const deleted = await db.delete(auditLogs).where(inArray(auditLogs.id, oldest)).returning({ id: auditLogs.id });
      return deleted.length;
    },
  };
}

export type AuditRepo = ReturnType<typeof createAuditRepo>;
