import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { deployments, imageWarmerStates } from '../../db/schema/index.js';
import { hasPgCode, PG_FOREIGN_KEY_VIOLATION } from '../../lib/pg-errors.js';

export type ImageWarmerStateRow = typeof imageWarmerStates.$inferSelect;

/** The warmer's state per cluster, and the one fact it needs of deployments: which runtimes run where. */
export function createImageWarmerRepo(db: Database) {
  return {
    async find(clusterId: string): Promise<ImageWarmerStateRow | undefined> {
      const [row] = await db.select().from(imageWarmerStates).where(eq(imageWarmerStates.clusterId, clusterId)).limit(1);
      return row;
    },
    async all(): Promise<ImageWarmerStateRow[]> {
      return db.select().from(imageWarmerStates);
    },
    /** Writes a cluster's state; a cluster deleted meanwhile is skipped (its row would have no owner). */
    async save(row: ImageWarmerStateRow): Promise<void> {
      const { clusterId: _clusterId, ...rest } = row;
      try {
        await db.insert(imageWarmerStates).values(row).onConflictDoUpdate({ target: imageWarmerStates.clusterId, set: rest });
      } catch (error) {
        if (hasPgCode(error, PG_FOREIGN_KEY_VIOLATION)) return;
        throw error;
      }
    },
    /**
     * Runtime ids per cluster id, of every deployment not being deleted: a paused one will
     * resume, and should then start without a pull.
     */
    async runtimesByCluster(): Promise<Map<string, Set<string>>> {
      const rows = await db
        .selectDistinct({ clusterId: deployments.clusterId, runtime: deployments.runtime })
        .from(deployments)
        .where(eq(deployments.deleting, false));
      const byCluster = new Map<string, Set<string>>();
      for (const row of rows) {
        const set = byCluster.get(row.clusterId) ?? new Set<string>();
        set.add(row.runtime);
        byCluster.set(row.clusterId, set);
      }
      return byCluster;
    },
  };
}
export type ImageWarmerRepo = ReturnType<typeof createImageWarmerRepo>;
