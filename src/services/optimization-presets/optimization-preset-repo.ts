import { asc, count, eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { optimizationPresets } from '../../db/schema/index.js';

export type OptimizationPresetRow = typeof optimizationPresets.$inferSelect;
export type NewOptimizationPresetRow = typeof optimizationPresets.$inferInsert;

export function createOptimizationPresetRepo(db: Database) {
  return {
    async find(id: string): Promise<OptimizationPresetRow | undefined> {
      const [row] = await db.select().from(optimizationPresets).where(eq(optimizationPresets.id, id)).limit(1);
      return row;
    },
    /** Stored presets, optionally of one runtime, ordered by runtime then name. */
    async list(runtime: string | undefined, limit: number, offset: number): Promise<{ rows: OptimizationPresetRow[]; total: number }> {
      const where = runtime === undefined ? undefined : eq(optimizationPresets.runtime, runtime);
      const [rows, [totals]] = await Promise.all([
        db.select().from(optimizationPresets).where(where).orderBy(asc(optimizationPresets.runtime), asc(optimizationPresets.name)).limit(limit).offset(offset),
        db.select({ total: count() }).from(optimizationPresets).where(where),
      ]);
      return { rows, total: totals?.total ?? 0 };
    },
    async insert(row: NewOptimizationPresetRow): Promise<OptimizationPresetRow> {
      const [created] = await db.insert(optimizationPresets).values(row).returning();
      if (!created) throw new Error('insert returned no row');
      return created;
    },
    async update(id: string, changes: Partial<NewOptimizationPresetRow>): Promise<OptimizationPresetRow | undefined> {
      const [row] = await db
        .update(optimizationPresets)
        .set({ ...changes, updatedAt: new Date() })
        .where(eq(optimizationPresets.id, id))
        .returning();
      return row;
    },
    async remove(id: string): Promise<boolean> {
      const rows = await db.delete(optimizationPresets).where(eq(optimizationPresets.id, id)).returning({ id: optimizationPresets.id });
      return rows.length > 0;
    },
  };
}

export type OptimizationPresetRepo = ReturnType<typeof createOptimizationPresetRepo>;
