import { and, asc, count, eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { users } from '../../db/schema/index.js';

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;
/** The database or a transaction on it. */
export type Queryable = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;

export function createUserRepo(db: Database) {
  return {
    db,
    async findById(id: string, q: Queryable = db): Promise<UserRow | undefined> {
      const [row] = await q.select().from(users).where(eq(users.id, id)).limit(1);
      return row;
    },
    async findByUsername(username: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.username, username)).limit(1);
      return row;
    },
    async list(limit: number, offset: number): Promise<{ rows: UserRow[]; total: number }> {
      const [rows, [totals]] = await Promise.all([
        db.select().from(users).orderBy(asc(users.username)).limit(limit).offset(offset),
        db.select({ total: count() }).from(users),
      ]);
      return { rows, total: totals?.total ?? 0 };
    },
    async count(): Promise<number> {
      const [row] = await db.select({ total: count() }).from(users);
      return row?.total ?? 0;
    },
    async insert(row: NewUserRow): Promise<UserRow> {
      const [created] = await db.insert(users).values(row).returning();
      if (!created) throw new Error('insert returned no row');
      return created;
    },
    async update(id: string, changes: Partial<NewUserRow>, q: Queryable = db): Promise<UserRow | undefined> {
      const [row] = await q
        .update(users)
        .set({ ...changes, updatedAt: new Date() })
        .where(eq(users.id, id))
        .returning();
      return row;
    },
    async remove(id: string, q: Queryable = db): Promise<boolean> {
      const rows = await q.delete(users).where(eq(users.id, id)).returning({ id: users.id });
      return rows.length > 0;
    },
    /** Locks every active admin row, so "is this the last admin?" cannot race. */
    async lockActiveAdminIds(q: Queryable): Promise<string[]> {
      const rows = await q
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.role, 'admin'), eq(users.disabled, false)))
        .for('update');
      return rows.map((row) => row.id);
    },
    async recordLogin(id: string, at: Date): Promise<void> {
      await db.update(users).set({ lastLoginAt: at }).where(eq(users.id, id));
    },
  };
}

export type UserRepo = ReturnType<typeof createUserRepo>;
