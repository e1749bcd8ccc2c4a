import { and, eq, gt, gte, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { apiKeys, gpuUsage, inferenceLogs, users } from '../../db/schema/index.js';
import type { TokenAggregate, UsageAggregate } from './cost-report.js';

/** The range's aggregates a cost report is built from: GPU time (gpu_usage) and tokens (the request log). */
export function createCostRepo(db: Database) {
  return {
    /**
     * GPU-seconds per deployment, cluster and GPU model within [from, to). Usage is kept per
     * hour: an hour the range covers in part counts in proportion (as if used evenly in it).
     */
    async usage(from: Date, to: Date): Promise<UsageAggregate[]> {
      const overlapSeconds = sql`GREATEST(0, EXTRACT(EPOCH FROM (LEAST(${gpuUsage.hour} + interval '1 hour', ${to}::timestamptz) - GREATEST(${gpuUsage.hour}, ${from}::timestamptz))))`;
      const rows = await db
        .select({
          deploymentId: gpuUsage.deploymentId,
          deploymentName: sql<string>`(array_agg(${gpuUsage.deploymentName} ORDER BY ${gpuUsage.hour} DESC))[1]`,
          clusterName: gpuUsage.clusterName,
          gpuModel: gpuUsage.gpuModel,
          gpuSeconds: sql<number>`sum(${gpuUsage.gpuSeconds} * ${overlapSeconds} / 3600.0)::double precision`,
        })
        .from(gpuUsage)
        .where(and(gt(gpuUsage.hour, new Date(from.getTime() - 3600_000)), lt(gpuUsage.hour, to)))
        .groupBy(gpuUsage.deploymentId, gpuUsage.clusterName, gpuUsage.gpuModel);
      return rows.map((row) => ({ ...row, gpuSeconds: Number(row.gpuSeconds) })).filter((row) => row.gpuSeconds > 0);
    },

    /**
     * Prompt and completion tokens per deployment, cluster and API key of requests that ended
     * within [from, to) (the request log's `created_at`; read from inference_logs_costs_idx).
     */
    async tokens(from: Date, to: Date): Promise<TokenAggregate[]> {
      const rows = await db
        .select({
          deploymentId: inferenceLogs.deploymentId,
          deploymentName: sql<string | null>`max(${inferenceLogs.deploymentName})`,
          clusterName: inferenceLogs.clusterName,
          apiKeyId: inferenceLogs.apiKeyId,
          prompt: sql<string>`COALESCE(sum(${inferenceLogs.promptTokens}), 0)::bigint`,
          completion: sql<string>`COALESCE(sum(${inferenceLogs.completionTokens}), 0)::bigint`,
        })
        .from(inferenceLogs)
        .where(and(gte(inferenceLogs.createdAt, from), lt(inferenceLogs.createdAt, to), isNotNull(inferenceLogs.deploymentId)))
        .groupBy(inferenceLogs.deploymentId, inferenceLogs.clusterName, inferenceLogs.apiKeyId);
      return rows.map((row) => ({
        deploymentId: row.deploymentId!,
        deploymentName: row.deploymentName ?? row.deploymentId!,
        clusterName: row.clusterName,
        apiKeyId: row.apiKeyId,
        prompt: Number(row.prompt),
        completion: Number(row.completion),
      }));
    },

    /** Names and owners of these API keys (ids that are not keys, or deleted keys, are left out). */
    async keys(ids: readonly string[]): Promise<Map<string, { name: string; ownerId: string; ownerUsername: string }>> {
      const uuids = ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
      if (uuids.length === 0) return new Map();
      const rows = await db
        .select({ id: apiKeys.id, name: apiKeys.name, ownerId: apiKeys.userId, ownerUsername: users.username })
        .from(apiKeys)
        .innerJoin(users, eq(users.id, apiKeys.userId))
        .where(inArray(apiKeys.id, uuids));
      return new Map(rows.map((row) => [row.id, { name: row.name, ownerId: row.ownerId, ownerUsername: row.ownerUsername }]));
    },
  };
}

export type CostRepo = ReturnType<typeof createCostRepo>;
