import { z } from 'zod';
import { timeFilterSchema } from './time-filter.js';

/**
 * Cost of serving: GPU prices per GPU model, GPU-hours per deployment, tokens served, and the
 * cost per million tokens grouped by deployment, API key or cluster (docs/costs.md).
 */

export const COST_GROUPS = ['deployment', 'apiKey', 'cluster'] as const;
export type CostGroup = (typeof COST_GROUPS)[number];

/** The longest range one cost report covers. */
export const MAX_COST_RANGE_DAYS = 400;
/** The range when the query names none: the last 30 days. */
export const DEFAULT_COST_RANGE_DAYS = 30;
/** A price has at most this many decimals (the column is numeric(18, 6)). */
export const PRICE_DECIMALS = 6;
export const MAX_PRICE_PER_GPU_HOUR = 1_000_000;

const DAY_MS = 86_400_000;

/** A GPU model as inventories name it ("NVIDIA H100 80GB HBM3"): printable text, no control characters. */
export const gpuModelNameSchema = z
  .string()
  .trim()
  .min(1, 'Name the GPU model.')
  .max(200, 'A GPU model name has at most 200 characters.')
  // In unicode mode a surrogate matches only when unpaired (a pair is one code point).
  .refine((value) => !/[\p{Cc}\uD800-\uDFFF]/u.test(value), 'A GPU model name has no control characters.');

export const gpuModelParamsSchema = z.object({ model: gpuModelNameSchema }).strict();

/** At most `decimals` decimals: the number is the one its rounding to them gives back (as JSON carried it). */
const hasAtMostDecimals = (value: number, decimals: number): boolean => Number(value.toFixed(decimals)) === value;

export const putGpuPriceSchema = z
  .object({
    pricePerGpuHour: z
      .number()
      .finite()
      .min(0, 'A price is 0 or more.')
      .max(MAX_PRICE_PER_GPU_HOUR, `A price is at most ${MAX_PRICE_PER_GPU_HOUR} per GPU-hour.`)
      .refine((value) => hasAtMostDecimals(value, PRICE_DECIMALS), `A price has at most ${PRICE_DECIMALS} decimals.`)
      .describe('What one GPU of this model costs per hour.'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'Use an ISO 4217 currency code of three capital letters, e.g. USD.')
      .describe('ISO 4217 code. One currency per installation: every price uses the same.'),
  })
  .strict();
export type PutGpuPriceInput = z.infer<typeof putGpuPriceSchema>;

/** A price as stored. */
export const gpuPriceSchema = z.object({
  gpuModel: z.string(),
  pricePerGpuHour: z.number(),
  currency: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});
export type GpuPrice = z.infer<typeof gpuPriceSchema>;

/** One GPU model of the price list: from the clusters' inventories, from recorded usage, or priced. */
export const gpuPriceListItemSchema = z.object({
  gpuModel: z.string(),
  pricePerGpuHour: z.number().nullable().describe('null: no price set (the default).'),
  currency: z.string().nullable(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  clusters: z.array(z.string()).describe('Clusters whose inventory has GPUs of this model now.'),
  gpus: z.number().int().describe('GPUs of this model in those inventories.'),
});
export type GpuPriceListItem = z.infer<typeof gpuPriceListItemSchema>;

export const gpuPriceListSchema = z.object({
  currency: z.string().nullable().describe('The currency every price uses; null while none is set.'),
  items: z.array(gpuPriceListItemSchema),
});
export type GpuPriceList = z.infer<typeof gpuPriceListSchema>;

export const costQuerySchema = z
  .object({
    groupBy: z.enum(COST_GROUPS).default('deployment').describe('deployment, apiKey or cluster.'),
    from: timeFilterSchema.optional().describe(`Start (ISO 8601), inclusive; default ${DEFAULT_COST_RANGE_DAYS} days before "to".`),
    to: timeFilterSchema.optional().describe('End (ISO 8601), exclusive; default now.'),
    format: z.enum(['json', 'csv']).optional().describe('csv: a CSV download (also chosen by Accept: text/csv).'),
  })
  .strict()
  .refine((query) => !query.from || !query.to || Date.parse(query.from) < Date.parse(query.to), { message: '"from" must be before "to".', path: ['from'] });
export type CostQuery = z.infer<typeof costQuerySchema>;

/** The range a query asks for, or why it cannot be had (longer than {@link MAX_COST_RANGE_DAYS}, empty). */
export function resolveCostRange(query: { from?: string | undefined; to?: string | undefined }, now: Date): { from: Date; to: Date } | { error: string } {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_COST_RANGE_DAYS * DAY_MS);
  if (from.getTime() >= to.getTime()) return { error: '"from" must be before "to".' };
  if (to.getTime() - from.getTime() > MAX_COST_RANGE_DAYS * DAY_MS) return { error: `A cost report covers at most ${MAX_COST_RANGE_DAYS} days; narrow "from" and "to".` };
  return { from, to };
}

export const tokenCountsSchema = z.object({ prompt: z.number().int(), completion: z.number().int(), total: z.number().int() });
export type TokenCounts = z.infer<typeof tokenCountsSchema>;

/**
 * What one row stands for. `session`: requests signed in with a session (no API key);
 * `otherUsers`: a viewer's view of other users' keys, together; `idle`: GPU time of deployments
 * that served no tokens in the range, which no key can be charged for.
 */
export const COST_ROW_KINDS = ['deployment', 'cluster', 'apiKey', 'session', 'otherUsers', 'idle'] as const;
export type CostRowKind = (typeof COST_ROW_KINDS)[number];

export const costRowSchema = z.object({
  kind: z.enum(COST_ROW_KINDS),
  /** Deployment or API key id; null for clusters (named) and the rows without one. */
  id: z.string().nullable(),
  name: z.string(),
  /** Deployments: its cluster(s) in the range; API keys: the owner's username. */
  detail: z.string().nullable(),
  gpuHours: z.number(),
  /** null when part of the GPU time is on a GPU model without a price (see costReason). */
  cost: z.number().nullable(),
  costReason: z.string().nullable(),
  tokens: tokenCountsSchema,
  /** null when no tokens were served (see costPerMillionTokensReason) or the cost is unknown. */
  costPerMillionTokens: z.number().nullable(),
  costPerMillionTokensReason: z.string().nullable(),
});
export type CostRow = z.infer<typeof costRowSchema>;

export const costReportSchema = z.object({
  groupBy: z.enum(COST_GROUPS),
  from: z.string(),
  to: z.string(),
  /** null while no price is set. */
  currency: z.string().nullable(),
  rows: z.array(costRowSchema),
  /** The sum of the rows, as one row (kind of the group, name "Total"). */
  total: costRowSchema,
  /** GPU models with usage in the range but no price. */
  unpricedGpuModels: z.array(z.string()),
  /** Caveats of this report (tokens older than the request log keeps, …). */
  notes: z.array(z.string()),
});
export type CostReport = z.infer<typeof costReportSchema>;

/** How inventory GPU models are compared: case, spaces, dashes and underscores aside ("NVIDIA-H100-80GB-HBM3" is "NVIDIA H100 80GB HBM3"). */
const modelKey = (model: string) => model.toLowerCase().replace(/[\s_-]+/g, ' ').trim();

/**
 * The GPU model a deployment's replicas use on a cluster: the profile's `gpuType` as the
 * inventory names it (or as written when the inventory has no such model); else the cluster's
 * only model; else its most numerous one (a mixed cluster without a `gpuType` is a guess, see
 * docs/costs.md); '' when the inventory names no GPU.
 */
export function gpuModelOnCluster(gpuGroups: ReadonlyArray<{ model: string; count: number }>, gpuType: string | undefined): string {
  if (gpuType) return gpuGroups.find((group) => modelKey(group.model) === modelKey(gpuType))?.model ?? gpuType;
  const counts = new Map<string, number>();
  for (const group of gpuGroups) counts.set(group.model, (counts.get(group.model) ?? 0) + group.count);
  let best = '';
  let most = 0;
  for (const [model, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    if (count > most) [best, most] = [model, count];
  }
  return best;
}
