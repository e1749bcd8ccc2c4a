import { and, count, desc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { deploymentEvents } from '../../db/schema/index.js';
import type { DeploymentEventHistoryQuery } from '../../domain/deployment-event.js';

export type DeploymentEventRow = typeof deploymentEvents.$inferSelect;
export type NewDeploymentEventRow = Omit<typeof deploymentEvents.$inferInsert, 'id'>;

/** Rows per INSERT: well under PostgreSQL's 65535 bind parameters (14 a row). */
const UPSERT_CHUNK = 500;

/**
 * What a copy adds to `count`: the growth of the cluster's count; the whole new count when the
 * cluster's count went down (it counts again from 1: a Kubernetes event that expired and
 * recurred, a driver that forgot it); one when the count stayed but the event was seen later (a
 * recurrence the cluster recorded as a new event of count 1); nothing for the same report again.
 */
const ADDED = sql`CASE
  WHEN excluded.reported_count < ${deploymentEvents.reportedCount} THEN excluded.reported_count
  WHEN excluded.reported_count > ${deploymentEvents.reportedCount} THEN excluded.reported_count - ${deploymentEvents.reportedCount}
  WHEN excluded.last_seen > ${deploymentEvents.lastSeen} THEN 1
  ELSE 0 END`;

export function createDeploymentEventRepo(db: Database) {
  return {
    /** Inserts new events and updates known ones (by fingerprint); `rows` must not repeat a fingerprint. */
    async upsert(rows: readonly NewDeploymentEventRow[]): Promise<void> {
      for (let start = 0; start < rows.length; start += UPSERT_CHUNK) {
        await db
          .insert(deploymentEvents)
          .values(rows.slice(start, start + UPSERT_CHUNK))
          .onConflictDoUpdate({
            target: deploymentEvents.fingerprint,
            set: {
              count: sql`${deploymentEvents.count} + ${ADDED}`,
              reportedCount: sql`excluded.reported_count`,
              firstSeen: sql`LEAST(${deploymentEvents.firstSeen}, excluded.first_seen)`,
              lastSeen: sql`GREATEST(${deploymentEvents.lastSeen}, excluded.last_seen)`,
              deploymentName: sql`excluded.deployment_name`,
              clusterName: sql`excluded.cluster_name`,
            },
          });
      }
    },

    /** One deployment's events, last seen first. */
    async list(deploymentId: string, query: DeploymentEventHistoryQuery): Promise<{ rows: DeploymentEventRow[]; total: number }> {
      const conditions: SQL[] = [eq(deploymentEvents.deploymentId, deploymentId)];
      if (query.type) conditions.push(eq(deploymentEvents.type, query.type));
      if (query.from) conditions.push(gte(deploymentEvents.lastSeen, new Date(query.from)));
      if (query.to) conditions.push(lte(deploymentEvents.lastSeen, new Date(query.to)));
      const where = and(...conditions);
      const [rows, [totals]] = await Promise.all([
        db.select().from(deploymentEvents).where(where).orderBy(desc(deploymentEvents.lastSeen), desc(deploymentEvents.id)).limit(query.limit).offset(query.offset),
        db.select({ total: count() }).from(deploymentEvents).where(where),
      ]);
      return { rows, total: totals?.total ?? 0 };
    },

    /** Whether any event of this deployment is kept (a deleted deployment's history stays readable). */
    async hasAny(deploymentId: string): Promise<boolean> {
      const [row] = await db.select({ id: deploymentEvents.id }).from(deploymentEvents).where(eq(deploymentEvents.deploymentId, deploymentId)).limit(1);
      return row !== undefined;
    },

    /** Deletes at most `batchSize` events last seen before `cutoff`; answers how many went. */
    async deleteOlderThan(cutoff: Date, batchSize: number): Promise<number> {
      const oldest = db.select({ id: deploymentEvents.id }).from(deploymentEvents).where(lt(deploymentEvents.lastSeen, cutoff)).limit(batchSize);
      const deleted = await db.delete(deploymentEvents).where(inArray(deploymentEvents.id, oldest)).returning({ id: deploymentEvents.id });
      return deleted.length;
    },
  };
}

export type DeploymentEventRepo = ReturnType<typeof createDeploymentEventRepo>;
