import { randomUUID } from 'node:crypto';
import { and, count, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
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
  /** The move, while `holder` still holds it. */
  const held = (id: string, holder: string) => and(byId(id), eq(table.state, 'moving'), eq(table.claimedBy, holder));

  return {
    /** Records still to act on: pending, moving, moved. */
    async open(): Promise<FailoverRow[]> {
      return db.select().from(table).where(inArray(table.state, ['pending', 'moving', 'moved']));
    },

    async get(id: string): Promise<FailoverRow | undefined> {
      const [row] = await db.select().from(table).where(byId(id));
      return row;
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

    /**
     * A pending move (or an abandoned one: the decision cancels a `moving` one only when nobody
     * runs it any more) not needed any more; `claimedBy`: the holder it had when read. False when
     * it changed meanwhile.
     */
    async cancel(id: string, reason: string, now: Date, claimedBy: string | null = null): Promise<boolean> {
      const holder = claimedBy === null ? isNull(table.claimedBy) : eq(table.claimedBy, claimedBy);
      const rows = await db
        .update(table)
        .set({ state: 'cancelled', reason, claimedBy: null, finishedAt: now, updatedAt: now })
        .where(and(byId(id), or(eq(table.state, 'pending'), and(eq(table.state, 'moving'), holder))))
        .returning({ id: table.id });
      return rows.length > 0;
    },

    /** The moves that left `clusterId` and wait for it to answer again, to remove the old copy there. */
    async movedFrom(clusterId: string): Promise<FailoverRow[]> {
      return db.select().from(table).where(and(eq(table.state, 'moved'), eq(table.fromClusterId, clusterId)));
    },

    /**
     * Takes the move for `holder` (an instance and its leadership term): pending → moving, or a
     * `moving` one retaken from `retakeFrom` (the holder it had when read: a compare-and-swap, so
     * of two instances retaking it one wins). Null when another took it meanwhile.
     */
    async claim(id: string, now: Date, holder: string, retakeFrom?: string | null): Promise<FailoverRow | null> {
      const retake = retakeFrom === undefined ? undefined : and(eq(table.state, 'moving'), retakeFrom === null ? isNull(table.claimedBy) : eq(table.claimedBy, retakeFrom));
      const [row] = await db
        .update(table)
        .set({ state: 'moving', claimedBy: holder, attempts: sql`${table.attempts} + 1`, updatedAt: now })
        .where(and(byId(id), retake ? or(eq(table.state, 'pending'), retake) : eq(table.state, 'pending')))
        .returning();
      return row ?? null;
    },

    /** The cluster the move chose, written before anything is applied there; false when `holder` lost the move. */
    async recordTarget(id: string, holder: string, targetClusterId: string, now: Date): Promise<boolean> {
      const rows = await db.update(table).set({ targetClusterId, updatedAt: now }).where(held(id, holder)).returning({ id: table.id });
      return rows.length > 0;
    },

    /** A failed move goes back to pending, to be tried again at `nextAttemptAt` (its target kept: the next try adopts or removes what was applied there). */
    async retryLater(id: string, holder: string, error: string, nextAttemptAt: Date, now: Date): Promise<void> {
      await db.update(table).set({ state: 'pending', claimedBy: null, lastError: error.slice(0, 2000), nextAttemptAt, updatedAt: now }).where(held(id, holder));
    },

    /**
     * Switches the deployment to its new cluster and marks the move done, in one transaction —
     * only while `holder` still holds the move and the deployment is still on the cluster the
     * move started from. `lost`: another instance retook the move (nothing changed);
     * `cancelled`: the deployment was moved or deleted meanwhile (the record is cancelled).
     */
    async completeMove(
      move: { id: string; holder: string; deploymentId: string; fromClusterId: string; toClusterId: string; reason: string; now: Date },
      deploymentChanges: Partial<NewDeploymentRow>,
    ): Promise<'moved' | 'lost' | 'cancelled'> {
      return db.transaction(async (tx) => {
        const marked = await tx
          .update(table)
          .set({ state: 'moved', toClusterId: move.toClusterId, reason: move.reason, lastError: null, movedAt: move.now, updatedAt: move.now })
          .where(held(move.id, move.holder))
          .returning({ id: table.id });
        if (marked.length === 0) return 'lost';
        const switched = await tx
          .update(deployments)
          .set({ ...deploymentChanges, clusterId: move.toClusterId, updatedAt: move.now })
          .where(and(eq(deployments.id, move.deploymentId), eq(deployments.clusterId, move.fromClusterId)))
          .returning({ id: deployments.id });
        if (switched.length === 0) {
          await tx.update(table).set({ state: 'cancelled', toClusterId: null, reason: 'the deployment left the lost cluster (or was deleted) before the move', finishedAt: move.now, updatedAt: move.now }).where(byId(move.id));
          return 'cancelled';
        }
        return 'moved';
      });
    },

    /**
     * A copy a move left on a cluster that cannot be reached to remove it: recorded as a `moved`
     * record from that cluster, so it is removed when the cluster answers again, like an old copy.
     */
    async recordLeftover(row: { deploymentId: string; deploymentName: string; clusterId: string; reason: string; now: Date }): Promise<void> {
      await db.insert(table).values({
        id: randomUUID(),
        deploymentId: row.deploymentId,
        deploymentName: row.deploymentName,
        fromClusterId: row.clusterId,
        state: 'moved',
        reason: row.reason,
        detectedAt: row.now,
        movedAt: row.now,
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
