import { and, asc, count, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { models } from '../../db/schema/index.js';
import type { ModelCategory } from '../../domain/model.js';

export type ModelRow = typeof models.$inferSelect;
export type NewModelRow = typeof models.$inferInsert;

/** `%` and `_` in a search are letters, not wildcards. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

export function createModelRepo(db: Database) {
  return {
    async findById(id: string): Promise<ModelRow | undefined> {
      const [row] = await db.select().from(models).where(eq(models.id, id)).limit(1);
      return row;
    },
    async findByName(name: string): Promise<ModelRow | undefined> {
      const [row] = await db
        .select()
        .from(models)
        .where(sql`lower(${models.name}) = lower(${name})`)
        .limit(1);
      return row;
    },
    async list(filter: { limit: number; offset: number; category?: ModelCategory; q?: string }): Promise<{ rows: ModelRow[]; total: number }> {
      const conditions: SQL[] = [];
      if (filter.category) conditions.push(eq(models.category, filter.category));
      if (filter.q) {
        const pattern = likePattern(filter.q);
        conditions.push(or(ilike(models.name, pattern), ilike(models.hfRepoId, pattern), ilike(models.localPath, pattern))!);
      }
      const where = conditions.length > 0 ? and(...conditions) : undefined;
      const [rows, [totals]] = await Promise.all([
        db.select().from(models).where(where).orderBy(asc(sql`lower(${models.name})`), asc(models.id)).limit(filter.limit).offset(filter.offset),
        db.select({ total: count() }).from(models).where(where),
      ]);
      return { rows, total: totals?.total ?? 0 };
    },
    async insert(row: NewModelRow): Promise<ModelRow> {
      const [created] = await db.insert(models).values(row).returning();
      if (!created) throw new Error('insert returned no row');
      return created;
    },
    async update(id: string, changes: Partial<NewModelRow>): Promise<ModelRow | undefined> {
      const [row] = await db
        .update(models)
        .set({ ...changes, updatedAt: new Date() })
        .where(eq(models.id, id))
        .returning();
      return row;
    },
    async remove(id: string): Promise<ModelRow | undefined> {
      const [row] = await db.delete(models).where(eq(models.id, id)).returning();
      return row;
    },
  };
}

export type ModelRepo = ReturnType<typeof createModelRepo>;
