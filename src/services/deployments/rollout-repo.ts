import { and, count, desc, eq, ne } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { deploymentRollouts, deployments } from '../../db/schema/index.js';
import type { RolloutState } from '../../domain/rollout.js';

export type RolloutRow = typeof deploymentRollouts.$inferSelect;
export type NewRolloutRow = typeof deploymentRollouts.$inferInsert;
/** The database or a transaction. */
export type Queryable = Pick<Database, 'select' | 'insert' | 'update' | 'delete'>;

/** Queries of `deployment_rollouts`. */
export function createRolloutRepo(db: Database) {
  return {
    db,
    /** Locks the deployment's row until the transaction ends: changes of one deployment queue up. */
    async lockDeployment(deploymentId: string, q: Queryable): Promise<boolean> {
      const [row] = await q.select({ id: deployments.id }).from(deployments).where(eq(deployments.id, deploymentId)).for('update');
      return row !== undefined;
    },
    async progressingOf(deploymentId: string, q: Queryable = db): Promise<RolloutRow | undefined> {
      const [row] = await q
        .select()
        .from(deploymentRollouts)
        .where(and(eq(deploymentRollouts.deploymentId, deploymentId), eq(deploymentRollouts.state, 'progressing')))
        .limit(1);
      return row;
    },
    /** Every progressing rollout, oldest first (what the monitor follows). */
    async allProgressing(): Promise<RolloutRow[]> {
      return db.select().from(deploymentRollouts).where(eq(deploymentRollouts.state, 'progressing')).orderBy(deploymentRollouts.startedAt);
    },
    /** The progressing rollout, else the last one. */
    async latest(deploymentId: string): Promise<RolloutRow | undefined> {
      const [row] = await db
        .select()
        .from(deploymentRollouts)
        .where(eq(deploymentRollouts.deploymentId, deploymentId))
        .orderBy(desc(eq(deploymentRollouts.state, 'progressing')), desc(deploymentRollouts.startedAt))
        .limit(1);
      return row;
    },
    async find(id: string): Promise<RolloutRow | undefined> {
      const [row] = await db.select().from(deploymentRollouts).where(eq(deploymentRollouts.id, id)).limit(1);
      return row;
    },
    async list(deploymentId: string, limit: number, offset: number): Promise<{ rows: RolloutRow[]; total: number }> {
      const where = eq(deploymentRollouts.deploymentId, deploymentId);
      const [rows, [totals]] = await Promise.all([
        db.select().from(deploymentRollouts).where(where).orderBy(desc(deploymentRollouts.startedAt)).limit(limit).offset(offset),
        db.select({ total: count() }).from(deploymentRollouts).where(where),
      ]);
      return { rows, total: totals?.total ?? 0 };
    },
    async insert(row: NewRolloutRow, q: Queryable = db): Promise<void> {
      await q.insert(deploymentRollouts).values(row);
    },
    /**
     * Ends a progressing rollout; false when it was not progressing any more (another change,
     * or another instance, ended it first).
     */
    async finish(id: string, state: Exclude<RolloutState, 'progressing'>, outcome: { reason?: string | null; message?: string } = {}, q: Queryable = db): Promise<boolean> {
      const rows = await q
        .update(deploymentRollouts)
        .set({ state, finishedAt: new Date(), ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}), ...(outcome.message !== undefined ? { message: outcome.message } : {}) })
        .where(and(eq(deploymentRollouts.id, id), eq(deploymentRollouts.state, 'progressing')))
        .returning({ id: deploymentRollouts.id });
      return rows.length > 0;
    },
    /** Notes why a progressing rollout is about to end (kept whatever ends it). */
    async note(id: string, reason: string, message: string): Promise<void> {
      await db
        .update(deploymentRollouts)
        .set({ reason, message })
        .where(and(eq(deploymentRollouts.id, id), eq(deploymentRollouts.state, 'progressing')));
    },
    /** Marks a rollout's change as undone (whether it was still progressing or had finished). */
    async markRolledBack(id: string, q: Queryable = db): Promise<void> {
      const [row] = await q.select({ finishedAt: deploymentRollouts.finishedAt }).from(deploymentRollouts).where(eq(deploymentRollouts.id, id)).limit(1);
      await q
        .update(deploymentRollouts)
        .set({ state: 'rolled_back', finishedAt: row?.finishedAt ?? new Date() })
        .where(and(eq(deploymentRollouts.id, id), ne(deploymentRollouts.state, 'rolled_back')));
    },
  };
}

export type RolloutRepo = ReturnType<typeof createRolloutRepo>;
