import { and, count, desc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { deploymentConfigHistory, users } from '../../db/schema/index.js';
import type { HistoryResult } from '../../domain/rollout.js';
import type { Queryable } from './rollout-repo.js';

export type ConfigHistoryRow = typeof deploymentConfigHistory.$inferSelect;
export type NewConfigHistoryRow = typeof deploymentConfigHistory.$inferInsert;
/** A history row with the name of who made the change (null: H-MAS itself, or a deleted user). */
export type ConfigHistoryRecord = ConfigHistoryRow & { actorUsername: string | null };

/** Queries of `deployment_config_history`. */
export function createConfigHistoryRepo(db: Database) {
  const selectRecord = () =>
    db
      .select({ entry: deploymentConfigHistory, actorUsername: users.username })
      .from(deploymentConfigHistory)
      .leftJoin(users, eq(users.id, deploymentConfigHistory.actorId));
  const toRecord = (row: { entry: ConfigHistoryRow; actorUsername: string | null }): ConfigHistoryRecord => ({ ...row.entry, actorUsername: row.actorUsername });

  return {
    async insert(row: NewConfigHistoryRow, q: Queryable = db): Promise<void> {
      await q.insert(deploymentConfigHistory).values(row);
    },
    async list(deploymentId: string, limit: number, offset: number): Promise<{ rows: ConfigHistoryRecord[]; total: number }> {
      const where = eq(deploymentConfigHistory.deploymentId, deploymentId);
      const [rows, [totals]] = await Promise.all([
        selectRecord().where(where).orderBy(desc(deploymentConfigHistory.createdAt)).limit(limit).offset(offset),
        db.select({ total: count() }).from(deploymentConfigHistory).where(where),
      ]);
      return { rows: rows.map(toRecord), total: totals?.total ?? 0 };
    },
    /** One entry of this deployment; undefined for an entry of another deployment too. */
    async find(deploymentId: string, id: string): Promise<ConfigHistoryRecord | undefined> {
      const [row] = await selectRecord()
        .where(and(eq(deploymentConfigHistory.deploymentId, deploymentId), eq(deploymentConfigHistory.id, id)))
        .limit(1);
      return row ? toRecord(row) : undefined;
    },
    /** The result of the changes a rollout carried out. */
    async setResultOfRollout(rolloutId: string, result: HistoryResult, q: Queryable = db): Promise<void> {
      await q.update(deploymentConfigHistory).set({ result }).where(eq(deploymentConfigHistory.rolloutId, rolloutId));
    },
  };
}

export type ConfigHistoryRepo = ReturnType<typeof createConfigHistoryRepo>;
