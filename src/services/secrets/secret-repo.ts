import { asc, count, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { deployments, optimizationPresets, secrets, users } from '../../db/schema/index.js';
import type { EnvValue } from '../../domain/secret-ref.js';

export type SecretRow = typeof secrets.$inferSelect;
/** A secret with the username of its creator (null when that user is gone). */
export type SecretWithCreator = SecretRow & { createdByUsername: string | null };

/** Something whose settings may refer to secrets, with its `extraEnv`. */
export interface SecretReferrer {
  kind: 'deployment' | 'optimization preset';
  name: string;
  extraEnv: Record<string, EnvValue>;
}

const withCreator = { ...getTableColumns(secrets), createdByUsername: users.username };

export function createSecretRepo(db: Database) {
  return {
    async find(name: string): Promise<SecretWithCreator | undefined> {
      const [row] = await db.select(withCreator).from(secrets).leftJoin(users, eq(users.id, secrets.createdBy)).where(eq(secrets.name, name)).limit(1);
      return row;
    },

    /** Only the names, for checking references: the sealed values stay in the database. */
    async existing(names: readonly string[]): Promise<Set<string>> {
      if (names.length === 0) return new Set();
      const rows = await db
        .select({ name: secrets.name })
        .from(secrets)
        .where(sql`${secrets.name} IN (${sql.join(names.map((name) => sql`${name}`), sql`, `)})`);
      return new Set(rows.map((row) => row.name));
    },

    async sealedValue(name: string): Promise<string | undefined> {
      const [row] = await db.select({ valueSealed: secrets.valueSealed }).from(secrets).where(eq(secrets.name, name)).limit(1);
      return row?.valueSealed;
    },

    async list(limit: number, offset: number): Promise<{ rows: SecretWithCreator[]; total: number }> {
      const [rows, [totals]] = await Promise.all([
        db.select(withCreator).from(secrets).leftJoin(users, eq(users.id, secrets.createdBy)).orderBy(asc(secrets.name)).limit(limit).offset(offset),
        db.select({ total: count() }).from(secrets),
      ]);
      return { rows, total: totals?.total ?? 0 };
    },

    async insert(row: typeof secrets.$inferInsert): Promise<void> {
      await db.insert(secrets).values(row);
    },

    async setValue(name: string, valueSealed: string, at: Date): Promise<boolean> {
      const rows = await db.update(secrets).set({ valueSealed, updatedAt: at, rotatedAt: at }).where(eq(secrets.name, name)).returning({ name: secrets.name });
      return rows.length > 0;
    },

    async remove(name: string): Promise<boolean> {
      const rows = await db.delete(secrets).where(eq(secrets.name, name)).returning({ name: secrets.name });
      return rows.length > 0;
    },

    /** Deployments and presets whose environment refers to at least one secret (any secret). */
    async referrers(): Promise<SecretReferrer[]> {
      const [deploymentRows, presetRows] = await Promise.all([
        db
          .select({ name: deployments.name, extraEnv: sql<Record<string, EnvValue>>`${deployments.optimization}->'raw'->'extraEnv'` })
          .from(deployments)
          .where(sql`jsonb_path_exists(${deployments.optimization}, '$.raw.extraEnv.*.secretRef')`)
          .orderBy(asc(deployments.name)),
        db
          .select({ name: optimizationPresets.name, extraEnv: sql<Record<string, EnvValue>>`${optimizationPresets.raw}->'extraEnv'` })
          .from(optimizationPresets)
          .where(sql`jsonb_path_exists(${optimizationPresets.raw}, '$.extraEnv.*.secretRef')`)
          .orderBy(asc(optimizationPresets.name)),
      ]);
      return [
        ...deploymentRows.map((row) => ({ kind: 'deployment' as const, name: row.name, extraEnv: row.extraEnv })),
        ...presetRows.map((row) => ({ kind: 'optimization preset' as const, name: row.name, extraEnv: row.extraEnv })),
      ];
    },
  };
}

export type SecretRepo = ReturnType<typeof createSecretRepo>;
