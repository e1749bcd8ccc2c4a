import type { InferenceLogEntryView, InferenceLogQuery } from '../../domain/inference-log.js';
import type { Page } from '../../domain/pagination.js';
import type { InferenceLogRepo, InferenceLogRow } from './inference-log-repo.js';
import { purgeInBatches } from '../../lib/batched-purge.js';

function toView(row: InferenceLogRow): InferenceLogEntryView {
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    id: String(row.id),
    requestId: row.requestId,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt.toISOString(),
    userId: row.userId,
    username: row.username,
    authMethod: row.authMethod,
    apiKeyId: row.apiKeyId,
    deploymentId: row.deploymentId,
    deploymentName: row.deploymentName,
    modelName: row.modelName,
    clusterName: row.clusterName,
    method: row.method,
    path: row.path,
    statusCode: row.statusCode,
    streaming: row.streaming,
    ttfbMs: row.ttfbMs === null ? null : round(row.ttfbMs),
    durationMs: round(row.durationMs),
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    totalTokens: row.promptTokens === null && row.completionTokens === null ? null : (row.promptTokens ?? 0) + (row.completionTokens ?? 0),
    errorMessage: row.errorMessage,
  };
}

/** Reading and pruning the inference request log (the writer fills it). */
export function createInferenceLogService(deps: { repo: InferenceLogRepo; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    /**
     * Newest first. `viewer` restricts the list to that user's own requests: viewers see what
     * they sent, operators and admins see everyone's.
     */
    async list(query: InferenceLogQuery, viewer: { userId: string; role: string }): Promise<Page<InferenceLogEntryView>> {
      const { rows, total } = await deps.repo.list(viewer.role === 'viewer' ? { ...query, onlyUserId: viewer.userId } : query);
      return { items: rows.map(toView), total, limit: query.limit, offset: query.offset };
    },
    /** Retention: deletes entries older than `days`, in batches so no delete holds the table long. */
    async purgeOlderThan(days: number, batchSize = 1000): Promise<number> {
      return purgeInBatches((cutoff, size) => deps.repo.deleteOlderThan(cutoff, size), { days, now: now(), batchSize });
    },
  };
}

export type InferenceLogService = ReturnType<typeof createInferenceLogService>;
