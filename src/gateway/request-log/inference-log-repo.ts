import { and, count, desc, eq, gte, inArray, lt, lte, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { inferenceLogs } from '../../db/schema/index.js';
import type { InferenceLogQuery } from '../../domain/inference-log.js';
import type { InferenceLogEntry } from '../gateway-contracts.js';

export type InferenceLogRow = typeof inferenceLogs.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ERROR_MESSAGE = 1000;
const MAX_PATH = 2000;

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

/** A finished request as a row. Integer columns get integers; text is bounded. */
export function toRow(entry: InferenceLogEntry): typeof inferenceLogs.$inferInsert {
  const int = (value: number | null) => (value === null || !Number.isFinite(value) ? null : Math.max(0, Math.min(2_147_483_647, Math.round(value))));
  return {
    requestId: entry.requestId.slice(0, 200),
    createdAt: new Date(entry.startedAt.getTime() + entry.durationMs),
    startedAt: entry.startedAt,
    userId: entry.userId,
    username: entry.username,
    authMethod: entry.authMethod,
    apiKeyId: entry.apiKeyId,
    deploymentId: entry.deploymentId,
    deploymentName: entry.deploymentName,
    modelName: entry.modelName,
    clusterName: entry.clusterName,
    method: entry.method.slice(0, 20),
    path: entry.path.slice(0, MAX_PATH),
    statusCode: entry.statusCode,
    streaming: entry.streaming,
    ttfbMs: entry.ttfbMs,
    durationMs: entry.durationMs,
    promptTokens: int(entry.promptTokens),
    completionTokens: int(entry.completionTokens),
    errorMessage: entry.errorMessage === null ? null : entry.errorMessage.slice(0, MAX_ERROR_MESSAGE),
  };
}

export function createInferenceLogRepo(db: Database) {
  return {
    /** Inserts finished requests in one statement. */
    async insertMany(entries: readonly InferenceLogEntry[]): Promise<void> {
      if (entries.length === 0) return;
      await db.insert(inferenceLogs).values(entries.map(toRow));
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
