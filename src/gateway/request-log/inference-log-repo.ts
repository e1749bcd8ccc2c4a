import { and, count, desc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { inferenceLogs } from '../../db/schema/index.js';
import type { InferenceLogQuery } from '../../domain/inference-log.js';
import type { InferenceLogEntry } from '../gateway-contracts.js';
import { toStorableText } from '../../lib/storable-text.js';

export type InferenceLogRow = typeof inferenceLogs.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ERROR_MESSAGE = 1000;
const MAX_PATH = 2000;
const MAX_NAME = 1000;

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

/**
 * PostgreSQL text holds neither NUL nor half a surrogate pair, and one such value fails the whole
 * batch's INSERT — again on every retry, so the request log would stop for good. Error messages
 * quote what clients sent (a `model` of "a\u0000b"), so text is made storable: each such code
 * unit becomes U+FFFD.
 */
function storable(value: string, max: number): string {
  return toStorableText(value.length > max ? value.slice(0, max) : value);
}
const storableOrNull = (value: string | null, max: number) => (value === null ? null : storable(value, max));

const int = (value: number | null) => (value === null || !Number.isFinite(value) ? null : Math.max(0, Math.min(2_147_483_647, Math.round(value))));
const real = (value: number | null) => (value === null || !Number.isFinite(value) ? null : value);

/** A finished request as a JSON row (column names as keys). Integer columns get integers; text is bounded. */
function toJsonRow(entry: InferenceLogEntry): Record<string, unknown> {
  return {
    request_id: storable(entry.requestId, 200),
    created_at: new Date(entry.startedAt.getTime() + entry.durationMs).toISOString(),
    started_at: entry.startedAt.toISOString(),
    user_id: entry.userId,
    username: storableOrNull(entry.username, MAX_NAME),
    auth_method: entry.authMethod,
    api_key_id: entry.apiKeyId,
    deployment_id: entry.deploymentId,
    deployment_name: storableOrNull(entry.deploymentName, MAX_NAME),
    model_name: storableOrNull(entry.modelName, MAX_NAME),
    cluster_name: storableOrNull(entry.clusterName, MAX_NAME),
    method: storable(entry.method, 20),
    path: storable(entry.path, MAX_PATH),
    status_code: entry.statusCode,
    streaming: entry.streaming,
    ttfb_ms: real(entry.ttfbMs),
    duration_ms: real(entry.durationMs) ?? 0,
    prompt_tokens: int(entry.promptTokens),
    completion_tokens: int(entry.completionTokens),
    error_message: storableOrNull(entry.errorMessage, MAX_ERROR_MESSAGE),
  };
}

const COLUMNS =
  'request_id, created_at, started_at, user_id, username, auth_method, api_key_id, deployment_id, deployment_name, model_name, cluster_name, method, path, status_code, streaming, ttfb_ms, duration_ms, prompt_tokens, completion_tokens, error_message';
const RECORD_TYPE =
  'request_id text, created_at timestamptz, started_at timestamptz, user_id text, username text, auth_method text, api_key_id text, deployment_id text, deployment_name text, model_name text, cluster_name text, method text, path text, status_code integer, streaming boolean, ttfb_ms double precision, duration_ms double precision, prompt_tokens integer, completion_tokens integer, error_message text';

export function createInferenceLogRepo(db: Database) {
  return {
    /**
     * Inserts finished requests in one statement with one parameter (the batch as JSON): the
     * database unpacks it, so a batch costs the gateway one JSON.stringify, not a query builder
     * walk over every value.
     */
    async insertMany(entries: readonly InferenceLogEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const batch = JSON.stringify(entries.map(toJsonRow));
      await db.execute(sql`INSERT INTO inference_logs (${sql.raw(COLUMNS)}) SELECT ${sql.raw(COLUMNS)} FROM json_to_recordset(${batch}::json) AS x(${sql.raw(RECORD_TYPE)})`);
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
