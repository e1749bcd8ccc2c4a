import { and, count, desc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { inferenceLogs } from '../../db/schema/index.js';
import type { InferenceLogQuery } from '../../domain/inference-log.js';

export type InferenceLogRow = typeof inferenceLogs.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Filters of a list; `onlyUserId` restricts it to one caller's requests (viewers). */
export type InferenceLogFilter = InferenceLogQuery & { onlyUserId?: string };

function filters(query: InferenceLogFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (query.onlyUserId !== undefined) conditions.push(eq(inferenceLogs.userId, query.onlyUserId));
  if (query.deployment) conditions.push(eq(inferenceLogs.deploymentName, query.deployment));
  if (query.user) conditions.push(UUID.test(query.user) ? eq(inferenceLogs.userId, query.user.toLowerCase()) : eq(inferenceLogs.username, query.user.toLowerCase()));
  if (query.statusCode !== undefined) conditions.push(eq(inferenceLogs.statusCode, query.statusCode));
  if (query.from) conditions.push(gte(inferenceLogs.createdAt, new Date(query.from)));
  if (query.to) conditions.push(lte(inferenceLogs.createdAt, new Date(query.to)));
  return conditions.length > 0 ? and(...conditions) : undefined;
}

// The columns of a line (inference-log-line.ts), in the order json_to_recordset reads them.
const COLUMNS =
  'entry_id, request_id, created_at, started_at, user_id, username, auth_method, api_key_id, deployment_id, deployment_name, model_name, cluster_name, method, path, status_code, streaming, ttfb_ms, duration_ms, prompt_tokens, completion_tokens, error_message';
const RECORD_TYPE =
  'entry_id uuid, request_id text, created_at timestamptz, started_at timestamptz, user_id text, username text, auth_method text, api_key_id text, deployment_id text, deployment_name text, model_name text, cluster_name text, method text, path text, status_code integer, streaming boolean, ttfb_ms double precision, duration_ms double precision, prompt_tokens integer, completion_tokens integer, error_message text';

export function createInferenceLogRepo(db: Database) {
  return {
    /**
     * Inserts lines made by `toInferenceLogLine` (inference-log-line.ts) in one statement with one parameter (the batch
     * as a JSON array of the lines): the database unpacks it, so a batch costs the gateway a
     * string join, not a query builder walk over every value. A line whose entry is already
     * stored (a replay) is skipped.
     */
    async insertLines(lines: readonly string[]): Promise<void> {
      if (lines.length === 0) return;
      const batch = `[${lines.join(',')}]`;
      await db.execute(
        sql`INSERT INTO inference_logs (${sql.raw(COLUMNS)}) SELECT ${sql.raw(COLUMNS)} FROM json_to_recordset(${batch}::json) AS x(${sql.raw(RECORD_TYPE)}) ON CONFLICT (entry_id) DO NOTHING`,
      );
    },
    async list(query: InferenceLogFilter): Promise<{ rows: InferenceLogRow[]; total: number }> {
      const where = filters(query);
      const [rows, [totals]] = await Promise.all([
        db.select().from(inferenceLogs).where(where).orderBy(desc(inferenceLogs.createdAt), desc(inferenceLogs.id)).limit(query.limit).offset(query.offset),
        db.select({ total: count() }).from(inferenceLogs).where(where),
      ]);
      return { rows, total: totals?.total ?? 0 };
    },
    /** Deletes up to `batchSize` rows that ended before `cutoff`; returns how many went. */
    async deleteOlderThan(cutoff: Date, batchSize: number): Promise<number> {
      const oldest = db.select({ id: inferenceLogs.id }).from(inferenceLogs).where(lt(inferenceLogs.createdAt, cutoff)).limit(batchSize);
      const deleted = await db.delete(inferenceLogs).where(inArray(inferenceLogs.id, oldest)).returning({ id: inferenceLogs.id });
      return deleted.length;
    },
  };
}

export type InferenceLogRepo = ReturnType<typeof createInferenceLogRepo>;
