import { randomUUID } from 'node:crypto';
import { and, count, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { deploymentFailovers, deployments } from '../../db/schema/index.js';
import { hasPgCode, PG_UNIQUE_VIOLATION } from '../../lib/pg-errors.js';
import type { NewDeploymentRow } from './deployment-repo.js';

export type FailoverRow = typeof deploymentFailovers.$inferSelect;

/**
 * Failover records (`deployment_failovers`). Every state change is a conditional UPDATE on the
 * state it leaves, so two instances (or a stale one) never both act on one record; the partial
 * unique index refuses a second move in flight for a deployment.
 */
export function createFailoverRepo(db: Database) {
  const table = deploymentFailovers;
  const byId = (id: string) => eq(table.id, id);

  return {
    /** Records still to act on: pending, moving, moved. */
    async open(): Promise<FailoverRow[]> {
      return db.select().from(table).where(inArray(table.state, ['pending', 'moving', 'moved']));
    },

    async page(deploymentId: string, limit: number, offset: number): Promise<{ rows: FailoverRow[]; total: number }> {
      const where = eq(table.deploymentId, deploymentId);
      const [rows, [totals]] = await Promise.all([
        db.select().from(table).where(where).orderBy(desc(table.detectedAt), desc(table.createdAt)).limit(limit).offset(offset),
        db.select({ total: count() }).from(table).where(where),
      ]);
      return { rows, total: totals?.total ?? 0 };
    },

    /** A new pending record; false when the deployment already has one in flight (the unique index). */
    async openPending(row: { deploymentId: string; deploymentName: string; fromClusterId: string; reason: string; detectedAt: Date }): Promise<boolean> {
      try {
        await db.insert(table).values({ id: randomUUID(), state: 'pending', ...row });
        return true;
      } catch (error) {
        if (hasPgCode(error, PG_UNIQUE_VIOLATION)) return false;
        throw error;
      }
    },

    /** A pending move (or an abandoned one: the decision cancels a `moving` one only when stale) not needed any more. */
    async cancel(id: string, reason: string, now: Date): Promise<void> {
      await db.update(table).set({ state: 'cancelled', reason, finishedAt: now, updatedAt: now }).where(and(byId(id), inArray(table.state, ['pending', 'moving'])));
    },

    /** Takes the move: pending → moving (or a move abandoned before `staleBefore`); null when another took it. */
    async claim(id: string, now: Date, staleBefore: Date): Promise<FailoverRow | null> {
      const [row] = await db
        .update(table)
        .set({ state: 'moving', attempts: sql`${table.attempts} + 1`, updatedAt: now })
        .where(and(byId(id), or(eq(table.state, 'pending'), and(eq(table.state, 'moving'), lt(table.updatedAt, staleBefore)))))
        .returning();
      return row ?? null;
    },

    /** A failed move goes back to pending, to be tried again at `nextAttemptAt`. */
    async retryLater(id: string, error: string, nextAttemptAt: Date, now: Date): Promise<void> {
      await db.update(table).set({ state: 'pending', lastError: error.slice(0, 2000), nextAttemptAt, updatedAt: now }).where(and(byId(id), eq(table.state, 'moving')));
    },

    /**
     * Switches the deployment to its new cluster and marks the move done, in one transaction —
     * only while the deployment is still on the cluster the move started from. False otherwise
     * (it was moved, or deleted, meanwhile): nothing changed.
     */
    async completeMove(move: { id: string; deploymentId: string; fromClusterId: string; toClusterId: string; reason: string; now: Date }, deploymentChanges: Partial<NewDeploymentRow>): Promise<boolean> {
      return db.transaction(async (tx) => {
        const switched = await tx
          .update(deployments)
          .set({ ...deploymentChanges, clusterId: move.toClusterId, updatedAt: move.now })
          .where(and(eq(deployments.id, move.deploymentId), eq(deployments.clusterId, move.fromClusterId)))
          .returning({ id: deployments.id });
        if (switched.length === 0) {
          await tx.update(table).set({ state: 'cancelled', reason: 'the deployment left the lost cluster (or was deleted) before the move', finishedAt: move.now, updatedAt: move.now }).where(byId(move.id));
          return false;
        }
        await tx.update(table).set({ state: 'moved', toClusterId: move.toClusterId, reason: move.reason, lastError: null, movedAt: move.now, updatedAt: move.now }).where(and(byId(move.id), eq(table.state, 'moving')));
        return true;
      });
    },

    /** The old copy is gone (or needs no removing): the failover is over. */
    async finish(id: string, reason: string, now: Date): Promise<void> {
      await db.update(table).set({ state: 'completed', reason, finishedAt: now, updatedAt: now }).where(and(byId(id), eq(table.state, 'moved')));
    },

    /** A removal of the old copy that failed: said on the record, tried again next tick. */
    async noteCleanupError(id: string, error: string, now: Date): Promise<void> {
      await db.update(table).set({ lastError: error.slice(0, 2000), updatedAt: now }).where(and(byId(id), eq(table.state, 'moved')));
    },
  };
}

export type FailoverRepo = ReturnType<typeof createFailoverRepo>;
