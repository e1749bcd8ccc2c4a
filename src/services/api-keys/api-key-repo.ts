import { and, count, desc, eq, getTableColumns, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { apiKeys, users } from '../../db/schema/index.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type NewApiKeyRow = typeof apiKeys.$inferInsert;
/** A key row with its owner's username, as lists and the API show it. */
export type ApiKeyWithOwner = ApiKeyRow & { username: string };

/** What the gateway needs to admit a key: no hash, no name, no timestamps it does not check. */
export interface ApiKeyAuthRecord {
  id: string;
  userId: string;
  scopes: readonly string[];
  allowedDeployments: readonly string[];
  rpm: number | null;
  tpm: number | null;
  active: boolean;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const withOwner = { ...getTableColumns(apiKeys), username: users.username };
/** Rows per lastUsedAt UPDATE, so one flush never builds a huge statement. */
const TOUCH_CHUNK = 1000;

export function createApiKeyRepo(db: Database) {
  return {
    async insert(row: NewApiKeyRow): Promise<ApiKeyRow> {
      const [created] = await db.insert(apiKeys).values(row).returning();
      if (!created) throw new Error('insert returned no row');
      return created;
    },

    async findById(id: string): Promise<ApiKeyWithOwner | undefined> {
      const [row] = await db.select(withOwner).from(apiKeys).innerJoin(users, eq(users.id, apiKeys.userId)).where(eq(apiKeys.id, id)).limit(1);
      return row;
    },

    async findForAuth(sha256: string): Promise<ApiKeyAuthRecord | undefined> {
      const [row] = await db
        .select({
          id: apiKeys.id,
          userId: apiKeys.userId,
          scopes: apiKeys.scopes,
          allowedDeployments: apiKeys.allowedDeployments,
          rpm: apiKeys.rpm,
          tpm: apiKeys.tpm,
          active: apiKeys.active,
          expiresAt: apiKeys.expiresAt,
          revokedAt: apiKeys.revokedAt,
        })
        .from(apiKeys)
        .where(eq(apiKeys.keySha256, sha256))
        .limit(1);
      return row;
    },

    async list(filter: { userId?: string | undefined }, limit: number, offset: number): Promise<{ rows: ApiKeyWithOwner[]; total: number }> {
      const where = filter.userId === undefined ? undefined : eq(apiKeys.userId, filter.userId);
      const [rows, [totals]] = await Promise.all([
        db
          .select(withOwner)
          .from(apiKeys)
          .innerJoin(users, eq(users.id, apiKeys.userId))
          .where(where)
          .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
          .limit(limit)
          .offset(offset),
        db.select({ total: count() }).from(apiKeys).where(where),
      ]);
      return { rows, total: totals?.total ?? 0 };
    },

    /** Keys of a user that are not revoked (paused and expired ones count). */
    async countUnrevoked(userId: string): Promise<number> {
      const [row] = await db
        .select({ total: count() })
        .from(apiKeys)
        .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)));
      return row?.total ?? 0;
    },

    async update(id: string, changes: Partial<NewApiKeyRow>, at: Date): Promise<boolean> {
      const rows = await db
        .update(apiKeys)
        .set({ ...changes, updatedAt: at })
        .where(eq(apiKeys.id, id))
        .returning({ id: apiKeys.id });
      return rows.length > 0;
    },

    /** Revokes a key once: a key already revoked keeps its first revocation time. */
    async revoke(id: string, at: Date): Promise<boolean> {
      const rows = await db
        .update(apiKeys)
        .set({ active: false, revokedAt: at, updatedAt: at })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      return rows.length > 0;
    },

    /**
     * Records when keys were last used: one UPDATE per chunk, never moving a time backwards.
     * Ids and times travel as PostgreSQL array literals (uuids and ISO times need no quoting),
     * which both PostgreSQL and PGlite read the same way.
     */
    async touchLastUsed(uses: ReadonlyArray<{ id: string; at: Date }>): Promise<void> {
      for (let start = 0; start < uses.length; start += TOUCH_CHUNK) {
        const chunk = uses.slice(start, start + TOUCH_CHUNK);
        const ids = `{${chunk.map((use) => use.id).join(',')}}`;
        const times = `{${chunk.map((use) => use.at.toISOString()).join(',')}}`;
        await db.execute(sql`
          UPDATE api_keys AS k
          SET last_used_at = GREATEST(k.last_used_at, u.at)
          FROM unnest(${ids}::uuid[], ${times}::timestamptz[]) AS u(id, at)
          WHERE k.id = u.id`);
      }
    },
  };
}

export type ApiKeyRepo = ReturnType<typeof createApiKeyRepo>;
