import { z } from 'zod';

/**
 * What the monitoring endpoints answer, shared by the server, the web UI and the CLI. Every
 * runtime's metrics are normalized into these shapes; a value a runtime does not expose (or a
 * series that is not there yet) is `null` with a `reason`, never a made-up 0.
 */

/** One normalized value: a number, or null and why. */
export const metricValueSchema = z.object({
  value: z.number().nullable(),
  /** Why `value` is null: the runtime has no such metric, no samples yet, Prometheus is down… */
  reason: z.string().optional(),
});
export type MetricValue = z.infer<typeof metricValueSchema>;

export const percentilesSchema = z.object({ p50: metricValueSchema, p95: metricValueSchema, p99: metricValueSchema });
export type Percentiles = z.infer<typeof percentilesSchema>;

/** The normalized serving metrics of one deployment (rates per second, latencies in seconds). */
export const servingMetricsSchema = z.object({
  requestsPerSecond: metricValueSchema,
  errorsPerSecond: metricValueSchema,
  generatedTokensPerSecond: metricValueSchema,
  promptTokensPerSecond: metricValueSchema,
  /** Time to first token. */
  ttftSeconds: percentilesSchema,
  /** From arrival to the last token. */
  e2eLatencySeconds: percentilesSchema,
  /** Time between two generated tokens. */
  interTokenLatencySeconds: percentilesSchema,
  runningRequests: metricValueSchema,
  waitingRequests: metricValueSchema,
  /** Share of the KV cache in use, 0–1. */
  kvCacheUsage: metricValueSchema,
});
export type ServingMetrics = z.infer<typeof servingMetricsSchema>;
export type ScalarServingField = Exclude<keyof ServingMetrics, 'ttftSeconds' | 'e2eLatencySeconds' | 'interTokenLatencySeconds'>;
export type PercentileServingField = Extract<keyof ServingMetrics, 'ttftSeconds' | 'e2eLatencySeconds' | 'interTokenLatencySeconds'>;
export const SCALAR_SERVING_FIELDS: readonly ScalarServingField[] = [
  'requestsPerSecond',
  'errorsPerSecond',
  'generatedTokensPerSecond',
  'promptTokensPerSecond',
  'runningRequests',
  'waitingRequests',
  'kvCacheUsage',
];
export const PERCENTILE_SERVING_FIELDS: readonly PercentileServingField[] = ['ttftSeconds', 'e2eLatencySeconds', 'interTokenLatencySeconds'];

/** What the gateway measured for one deployment (`hmas_inference_*`): the same for every runtime. */
export const gatewayMetricsSchema = z.object({
  requestsPerSecond: metricValueSchema,
  errorsPerSecond: metricValueSchema,
  promptTokensPerSecond: metricValueSchema,
  completionTokensPerSecond: metricValueSchema,
  latencySeconds: percentilesSchema,
  ttfbSeconds: percentilesSchema,
  activeRequests: metricValueSchema,
});
export type GatewayMetrics = z.infer<typeof gatewayMetricsSchema>;

/** Where a snapshot's numbers come from: Prometheus, or the replicas' /metrics read right now. */
export const METRICS_SOURCES = ['prometheus', 'live'] as const;
export type MetricsSource = (typeof METRICS_SOURCES)[number];

/** `GET /api/deployments/:id/metrics`. */
export const deploymentMetricsSnapshotSchema = z.object({
  deploymentId: z.string(),
  deployment: z.string(),
  runtime: z.string(),
  source: z.enum(METRICS_SOURCES),
  /** ISO time the numbers are of. */
  at: z.string(),
  /** True when the numbers are older than they should be (a replica did not answer, Prometheus lags); `staleReason` says why. */
  stale: z.boolean(),
  staleReason: z.string().optional(),
  serving: servingMetricsSchema,
  gateway: gatewayMetricsSchema,
  /** Fields this runtime never exposes, with why (Ollama exposes no inference metrics at all). */
  unsupported: z.array(z.object({ field: z.string(), reason: z.string() })),
});
export type DeploymentMetricsSnapshot = z.infer<typeof deploymentMetricsSnapshotSchema>;

/** Ranges and steps the history endpoints accept. */
export const METRICS_HISTORY_LIMITS = { maxRangeSeconds: 30 * 24 * 3600, maxPointsPerSeries: 11_000, minStepSeconds: 1 } as const;
export const METRICS_RANGE_PRESETS = ['15m', '1h', '6h', '24h', '7d'] as const;

/** A duration in the history query: whole seconds, or a count of s, m, h or d (`90`, `15m`, `7d`). */
export const metricsDurationSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,9}[smhd]?$/, 'Use whole seconds or a count of s, m, h or d, e.g. 30s, 15m, 1h, 7d.');

/** Seconds in a duration `metricsDurationSchema` accepted. */
export function durationSeconds(text: string): number {
  const unit = text.at(-1)!;
  const factor = unit === 'm' ? 60 : unit === 'h' ? 3600 : unit === 'd' ? 86_400 : 1;
  return Number.parseInt(/[smhd]$/.test(text) ? text.slice(0, -1) : text, 10) * factor;
}

/**
 * `GET /api/deployments/:id/metrics/history`: the last `range` (default 1h) up to `to` (default
 * now), or `from`–`to`; `step` between points (default: a round step giving 120–300 points).
 */
export const deploymentMetricsHistoryQuerySchema = z
  .object({
    range: metricsDurationSchema.optional(),
    from: z.iso.datetime({ offset: true, error: 'Use an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z.' }).optional(),
    to: z.iso.datetime({ offset: true, error: 'Use an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z.' }).optional(),
    step: metricsDurationSchema.optional(),
  })
  .strict()
  .refine((query) => !(query.range !== undefined && query.from !== undefined), { message: 'Give either range or from, not both.', path: ['range'] })
  .refine((query) => query.from === undefined || query.to === undefined || Date.parse(query.from) < Date.parse(query.to), { message: 'from must be before to.', path: ['from'] });
export type DeploymentMetricsHistoryQuery = z.infer<typeof deploymentMetricsHistoryQuerySchema>;

/** `GET /api/api-keys/:id/metrics`: rates over the last `range` (default 1h, at most 30 days). */
export const apiKeyMetricsQuerySchema = z.object({ range: metricsDurationSchema.optional() }).strict();
export type ApiKeyMetricsQuery = z.infer<typeof apiKeyMetricsQuerySchema>;

/** What one API key did through the gateway over a range, from its `hmas_inference_key_*` series. */
export const apiKeyMetricsSchema = z.object({
  apiKeyId: z.string(),
  /** The range the rates cover, in seconds, ending at `at`. */
  rangeSeconds: z.number().int(),
  at: z.string(),
  /** Requests answered in the range (every status). */
  requests: metricValueSchema,
  requestsPerSecond: metricValueSchema,
  /** Answers with a 5xx status (4xx answers are the caller's). */
  errorsPerSecond: metricValueSchema,
  /** Time from receiving a request to the end of its answer. */
  latencySeconds: percentilesSchema,
  promptTokensPerSecond: metricValueSchema,
  completionTokensPerSecond: metricValueSchema,
});
export type ApiKeyMetrics = z.infer<typeof apiKeyMetricsSchema>;

/** One chart line: `[unix seconds, value or null]` points. */
export const metricSeriesSchema = z.object({
  field: z.string(),
  /** A label to tell lines of one field apart (a replica, a GPU); empty for the deployment's total. */
  label: z.string(),
  points: z.array(z.tuple([z.number(), z.number().nullable()])),
});
export type MetricSeries = z.infer<typeof metricSeriesSchema>;

/** `GET /api/deployments/:id/metrics/history`. */
export const deploymentMetricsHistorySchema = z.object({
  deploymentId: z.string(),
  runtime: z.string(),
  start: z.string(),
  end: z.string(),
  stepSeconds: z.number(),
  series: z.array(metricSeriesSchema),
  /** Fields with no series, and why. */
  missing: z.array(z.object({ field: z.string(), reason: z.string() })),
  /** True when the deployment's newest sample is well before `end` (Prometheus stopped scraping it); `staleReason` says how long. */
  stale: z.boolean().optional(),
  staleReason: z.string().optional(),
});
export type DeploymentMetricsHistory = z.infer<typeof deploymentMetricsHistorySchema>;

/** One GPU as DCGM (or nvidia-smi on the local host) sees it. */
export const gpuMetricsSchema = z.object({
  node: z.string(),
  /** Index on its node. */
  index: z.number().int(),
  uuid: z.string().nullable(),
  model: z.string().nullable(),
  /** Percent of the last sample period a kernel ran, 0–100 (DCGM_FI_DEV_GPU_UTIL, nvidia-smi utilization.gpu). */
  utilization: metricValueSchema,
  memoryUsedBytes: metricValueSchema,
  memoryTotalBytes: metricValueSchema,
  temperatureCelsius: metricValueSchema,
  powerWatts: metricValueSchema,
  smClockMhz: metricValueSchema,
  /** Last XID error code seen (0 = none). */
  xidErrors: metricValueSchema,
  /** Deployments whose replicas use this GPU, where labels tell. */
  deployments: z.array(z.string()),
});
export type GpuMetrics = z.infer<typeof gpuMetricsSchema>;

/**
 * `GET /api/clusters/:name/gpu-metrics`. `source: none` carries no GPUs and, in `staleReason`,
 * what to set up; `stale` is true when the numbers are old (a node's exporter stopped) or a
 * fallback (nvidia-smi while Prometheus does not answer), or when nvidia-smi failed.
 */
export const clusterGpuMetricsSchema = z.object({
  cluster: z.string(),
  source: z.enum(['dcgm', 'nvidia-smi', 'none']),
  at: z.string(),
  stale: z.boolean(),
  staleReason: z.string().optional(),
  gpus: z.array(gpuMetricsSchema),
});
export type ClusterGpuMetrics = z.infer<typeof clusterGpuMetricsSchema>;

/** `GET /api/metrics/summary`: the dashboard's totals, running models and GPU heat. */
export const metricsSummarySchema = z.object({
  at: z.string(),
  stale: z.boolean(),
  staleReason: z.string().optional(),
  /** Whether Prometheus is set up and answering; without it the totals come from live reads. */
  prometheus: z.enum(['configured', 'not_configured', 'unavailable']),
  totals: z.object({
    requestsPerSecond: metricValueSchema,
    tokensPerSecond: metricValueSchema,
    meanTtftSeconds: metricValueSchema,
    activeRequests: metricValueSchema,
    maxKvCacheUsage: metricValueSchema,
    meanGpuTemperatureCelsius: metricValueSchema,
    gpuUtilization: metricValueSchema,
  }),
  deployments: z.array(
    z.object({
      deploymentId: z.string(),
      deployment: z.string(),
      cluster: z.string(),
      runtime: z.string(),
      requestsPerSecond: metricValueSchema,
      p95LatencySeconds: metricValueSchema,
      tokensPerSecond: metricValueSchema,
      errorsPerSecond: metricValueSchema,
    }),
  ),
  clusters: z.array(
    z.object({
      cluster: z.string(),
      gpuUtilization: metricValueSchema,
      gpusAllocated: z.number().int(),
      gpusTotal: z.number().int(),
      temperatures: z.array(z.object({ node: z.string(), index: z.number().int(), celsius: z.number().nullable() })),
    }),
  ),
});
export type MetricsSummary = z.infer<typeof metricsSummarySchema>;
