import { and, asc, count, eq, isNull, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { clusterSettings, clusters } from '../../db/schema/index.js';

export type ClusterRow = typeof clusters.$inferSelect;
export type NewClusterRow = typeof clusters.$inferInsert;
/** The database or a transaction on it. */
export type Queryable = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;

/** What a connection test or health check writes. */
export interface CheckRecord {
  readinessState: ClusterRow['readinessState'];
  readinessMessage: string;
  readinessCheckedAt: Date;
  /** Set by an explicit test; a background check leaves the last test alone. */
  lastTest?: Record<string, unknown>;
  /** Left as it is when undefined (a failed check keeps the last known inventory). */
  inventory?: Record<string, unknown>;
}

export function createClusterRepo(db: Database) {
  return {
    db,
    async findByName(name: string, q: Queryable = db): Promise<ClusterRow | undefined> {
      const [row] = await q.select().from(clusters).where(eq(clusters.name, name)).limit(1);
      return row;
    },
    /** The row, locked until the transaction ends, so concurrent edits apply one after the other. */
    async lockByName(name: string, q: Queryable): Promise<ClusterRow | undefined> {
      const [row] = await q.select().from(clusters).where(eq(clusters.name, name)).limit(1).for('update');
      return row;
    },
    async list(limit: number, offset: number): Promise<{ rows: ClusterRow[]; total: number }> {
      const [rows, [totals]] = await Promise.all([
        db.select().from(clusters).orderBy(asc(clusters.name)).limit(limit).offset(offset),
        db.select({ total: count() }).from(clusters),
      ]);
      return { rows, total: totals?.total ?? 0 };
    },
    async listAll(): Promise<ClusterRow[]> {
      return db.select().from(clusters).orderBy(asc(clusters.name));
    },
    async insert(row: NewClusterRow, q: Queryable = db): Promise<ClusterRow> {
      const [created] = await q.insert(clusters).values(row).returning();
      if (!created) throw new Error('insert returned no row');
      return created;
    },
    /** Inserts unless a cluster of that name exists; undefined when it did. */
    async insertIfAbsent(row: NewClusterRow, q: Queryable = db): Promise<ClusterRow | undefined> {
      const [created] = await q.insert(clusters).values(row).onConflictDoNothing({ target: clusters.name }).returning();
      return created;
    },
    async update(id: string, changes: Partial<NewClusterRow>, q: Queryable = db): Promise<ClusterRow | undefined> {
      const [row] = await q
        .update(clusters)
        .set({ ...changes, updatedAt: new Date() })
        .where(eq(clusters.id, id))
        .returning();
      return row;
    },
    /**
     * Stores a check's outcome, unless the connection changed since the check started
     * (`connectionVersion` moved on) or the cluster is gone: then undefined.
     */
    async recordCheck(id: string, connectionVersion: number, record: CheckRecord): Promise<ClusterRow | undefined> {
      const [row] = await db
        .update(clusters)
        .set({
          readinessState: record.readinessState,
          readinessMessage: record.readinessMessage,
          readinessCheckedAt: record.readinessCheckedAt,
          ...(record.lastTest !== undefined ? { lastTest: record.lastTest, updatedAt: new Date() } : {}),
          ...(record.inventory !== undefined ? { inventory: record.inventory } : {}),
        })
        .where(and(eq(clusters.id, id), eq(clusters.connectionVersion, connectionVersion)))
        .returning();
      return row;
    },
    /**
     * Claims the local cluster for `host` when no instance owns it yet (a cluster registered
     * before owners were recorded), or refreshes the hostname when `host` owns it already. One
     * conditional UPDATE: of instances starting together exactly one claims it. Undefined when
     * another host owns it (or there is no local cluster).
     */
    async claimLocal(host: { id: string; hostname: string }): Promise<ClusterRow | undefined> {
      const [row] = await db
        .update(clusters)
        .set({ ownerHostId: host.id, ownerHostname: host.hostname })
        .where(and(eq(clusters.connectionKind, 'local'), or(isNull(clusters.ownerHostId), eq(clusters.ownerHostId, host.id))))
        .returning();
      return row;
    },
    async remove(id: string, q: Queryable = db): Promise<boolean> {
      const rows = await q.delete(clusters).where(eq(clusters.id, id)).returning({ id: clusters.id });
      return rows.length > 0;
    },
    async getSetting(key: string): Promise<unknown> {
      const [row] = await db.select().from(clusterSettings).where(eq(clusterSettings.key, key)).limit(1);
      return row?.value;
    },
    /** Writes the setting unless it exists; true when this call wrote it. */
    async insertSettingIfAbsent(key: string, value: unknown, q: Queryable = db): Promise<boolean> {
      const rows = await q.insert(clusterSettings).values({ key, value }).onConflictDoNothing({ target: clusterSettings.key }).returning({ key: clusterSettings.key });
      return rows.length > 0;
    },
    async putSetting(key: string, value: unknown, q: Queryable = db): Promise<void> {
      await q
        .insert(clusterSettings)
        .values({ key, value })
        .onConflictDoUpdate({ target: clusterSettings.key, set: { value, updatedAt: sql`now()` } });
    },
  };
}

export type ClusterRepo = ReturnType<typeof createClusterRepo>;
