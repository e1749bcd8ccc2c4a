import { resolveCostRange, type CostQuery, type CostReport } from '../../domain/costs.js';
import type { Role } from '../../domain/roles.js';
import { ValidationError } from '../../lib/errors.js';
import { buildCostReport } from './cost-report.js';
import type { CostRepo } from './cost-repo.js';
import type { GpuPriceRepo } from './gpu-price-repo.js';

export interface CostServiceDeps {
  repo: CostRepo;
  prices: Pick<GpuPriceRepo, 'list'>;
  /** How long the request log keeps entries (tokens) and GPU usage is kept, in days. */
  retention: { inferenceLogDays: number; gpuUsageDays: number };
  now?: () => Date;
}

const DAY_MS = 86_400_000;
/** A range reaching back less than this past a retention is not worth a note (a "last 30 days" sent a minute ago). */
const NOTE_SLACK_MS = 3600_000;

/** Cost reports: GPU time × price, tokens from the request log, grouped (docs/costs.md). */
export function createCostService(deps: CostServiceDeps) {
  const now = deps.now ?? (() => new Date());
  return {
    /** 400 VALIDATION_FAILED for a range over 400 days. Viewers see other users' API keys as one row. */
    async report(query: Pick<CostQuery, 'groupBy' | 'from' | 'to'>, caller: { userId: string; role: Role }): Promise<CostReport> {
      const at = now();
      const range = resolveCostRange(query, at);
      if ('error' in range) throw new ValidationError(range.error);
      const { from, to } = range;
      const [usage, tokens, prices] = await Promise.all([deps.repo.usage(from, to), deps.repo.tokens(from, to), deps.prices.list()]);
      const keys = query.groupBy === 'apiKey' ? await deps.repo.keys([...new Set(tokens.flatMap((row) => (row.apiKeyId ? [row.apiKeyId] : [])))]) : new Map();
      return buildCostReport({
        groupBy: query.groupBy,
        from,
        to,
        usage,
        tokens,
        prices: new Map(prices.map((price) => [price.gpuModel, price])),
        keys,
        viewerId: caller.role === 'viewer' ? caller.userId : undefined,
        notes: notesFor(from, at, deps.retention),
      });
    },
  };
}

/** What the range reaches back before: tokens the request log no longer has, usage already deleted. */
function notesFor(from: Date, now: Date, retention: CostServiceDeps['retention']): string[] {
  const notes: string[] = [];
  const logStart = new Date(now.getTime() - retention.inferenceLogDays * DAY_MS);
  if (from.getTime() < logStart.getTime() - NOTE_SLACK_MS) {
    notes.push(
      `Tokens come from the request log, which keeps ${retention.inferenceLogDays} days (HMAS_INFERENCE_LOG_RETENTION_DAYS): before ${logStart.toISOString()} it has none, so tokens are undercounted and cost per million tokens overstated for this range.`,
    );
  }
  const usageStart = new Date(now.getTime() - retention.gpuUsageDays * DAY_MS);
  if (from.getTime() < usageStart.getTime() - NOTE_SLACK_MS) notes.push(`GPU usage is kept ${retention.gpuUsageDays} days (HMAS_GPU_USAGE_RETENTION_DAYS): before ${usageStart.toISOString()} there is none.`);
  return notes;
}

export type CostService = ReturnType<typeof createCostService>;
