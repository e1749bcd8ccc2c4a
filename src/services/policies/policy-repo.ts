import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { policies } from '../../db/schema/index.js';
import type { PolicyKind } from '../../domain/policies.js';

export type PolicyRow = typeof policies.$inferSelect;

export function createPolicyRepo(db: Database) {
  return {
    async find(kind: PolicyKind, id: string): Promise<PolicyRow | undefined> {
      const [row] = await db.select().from(policies).where(and(eq(policies.kind, kind), eq(policies.id, id))).limit(1);
      return row;
    },
    async list(kind: PolicyKind, limit: number, offset: number): Promise<{ rows: PolicyRow[]; total: number }> {
      const where = eq(policies.kind, kind);
      const [rows, [totals]] = await Promise.all([
        db.select().from(policies).where(where).orderBy(asc(policies.name)).limit(limit).offset(offset),
        db.select({ total: count() }).from(policies).where(where),
      ]);
      return { rows, total: totals?.total ?? 0 };
    },
    async insert(row: typeof policies.$inferInsert): Promise<PolicyRow> {
      const [created] = await db.insert(policies).values(row).returning();
      if (!created) throw new Error('insert returned no row');
      return created;
    },
    async update(kind: PolicyKind, id: string, changes: Partial<typeof policies.$inferInsert>): Promise<PolicyRow | undefined> {
      const [row] = await db
        .update(policies)
        .set({ ...changes, updatedAt: new Date() })
        .where(and(eq(policies.kind, kind), eq(policies.id, id)))
        .returning();
      return row;
    },
    async remove(kind: PolicyKind, id: string): Promise<boolean> {
      const rows = await db.delete(policies).where(and(eq(policies.kind, kind), eq(policies.id, id))).returning({ id: policies.id });
      return rows.length > 0;
    },
    /** Names of placement strategies that refer to a policy: their failover policy, or a federation member's resource profile. */
    async placementStrategiesUsing(policyId: string): Promise<string[]> {
      const memberWithProfile = JSON.stringify([{ resourceProfileId: policyId }]);
      const rows = await db
        .select({ name: policies.name })
        .from(policies)
        .where(
          and(
            eq(policies.kind, 'placement_strategy'),
            sql`(${policies.spec}->>'failoverPolicyId' = ${policyId} OR ${policies.spec}->'federation'->'members' @> ${memberWithProfile}::jsonb)`,
          ),
        );
      return rows.map((row) => row.name);
    },
  };
}

export type PolicyRepo = ReturnType<typeof createPolicyRepo>;
