import {
  durationSeconds,
  METRICS_HISTORY_LIMITS,
  PERCENTILE_SERVING_FIELDS,
  SCALAR_SERVING_FIELDS,
  type DeploymentMetricsHistory,
  type DeploymentMetricsHistoryQuery,
  type MetricSeries,
} from '../domain/monitoring.js';
import { AppError } from '../lib/errors.js';
import type { PercentileMetricSource, ScalarMetricSource, ServingMetricMap } from '../runtimes/runtime-adapter.js';
import { GATEWAY_PERCENTILE_FIELDS, GATEWAY_SCALAR_FIELDS, GATEWAY_SOURCES } from './gateway-sources.js';
import type { PrometheusClient } from './prometheus-client.js';
import { PERCENTILES, percentileQuery, scalarQuery, sourceNames, type PercentileKey } from './promql.js';

export interface HistoryRange {
  start: Date;
  end: Date;
  stepSeconds: number;
}

/** Round steps the default picks from: the smallest giving at most 300 points. */
const ROUND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];
const DEFAULT_RANGE_SECONDS = 3600;

export function defaultStepSeconds(rangeSeconds: number): number {
  return ROUND_STEPS.find((step) => rangeSeconds / step <= 300) ?? Math.ceil(rangeSeconds / 300);
}

/** The points a range query answers per series: one at start, then one each step up to end. */
export const pointsPerSeries = (range: HistoryRange): number => Math.floor((range.end.getTime() - range.start.getTime()) / 1000 / range.stepSeconds) + 1;

/** 400 METRICS_RANGE_TOO_LONG past 30 days (history, and the rates of an API key). */
export function checkRangeSeconds(rangeSeconds: number): void {
  const { maxRangeSeconds } = METRICS_HISTORY_LIMITS;
  if (rangeSeconds > maxRangeSeconds) {
    throw new AppError('METRICS_RANGE_TOO_LONG', `The range is ${Math.ceil(rangeSeconds / 86_400)} days; metric history covers at most 30 days (${maxRangeSeconds} s) at a time.`, {
      statusCode: 400,
      details: { maxRangeSeconds, rangeSeconds },
    });
  }
}

/** The range a history query asks for, or 400 METRICS_RANGE_TOO_LONG / METRICS_TOO_MANY_POINTS with the limit. */
export function resolveHistoryRange(query: DeploymentMetricsHistoryQuery, now: Date): HistoryRange {
  const end = query.to !== undefined ? new Date(query.to) : now;
  const start = query.from !== undefined ? new Date(query.from) : new Date(end.getTime() - (query.range !== undefined ? durationSeconds(query.range) : DEFAULT_RANGE_SECONDS) * 1000);
  const rangeSeconds = (end.getTime() - start.getTime()) / 1000;
  const { maxPointsPerSeries } = METRICS_HISTORY_LIMITS;
  checkRangeSeconds(rangeSeconds);
  const range = { start, end, stepSeconds: query.step !== undefined ? durationSeconds(query.step) : defaultStepSeconds(rangeSeconds) };
  const points = pointsPerSeries(range);
  if (points > maxPointsPerSeries) {
    throw new AppError(
      'METRICS_TOO_MANY_POINTS',
      `A step of ${range.stepSeconds} s over ${Math.round(rangeSeconds)} s gives ${points} points per series; the limit is ${maxPointsPerSeries}. Use a step of at least ${Math.ceil(rangeSeconds / (maxPointsPerSeries - 1))} s.`,
      { statusCode: 400, details: { maxPointsPerSeries, points } },
    );
  }
  return range;
}

/** Rates over at least a minute (and a step, so no sample falls between two points); percentiles over at least five. */
const rateWindow = (step: number) => Math.max(60, step);
const quantileWindow = (step: number) => Math.max(300, step);

interface Wanted {
  field: string;
  query: string | undefined;
  names: string;
  reason?: string;
}

function wanted(prefix: string, sources: Record<string, ScalarMetricSource | PercentileMetricSource>, scalars: readonly string[], percentiles: readonly string[], name: string, step: number): Wanted[] {
  const out: Wanted[] = [];
  for (const field of scalars) {
    const source = sources[field]!;
    if (source.kind === 'histogram') continue;
    out.push({ field: `${prefix}${field}`, query: scalarQuery(source, name, rateWindow(step)), names: sourceNames(source), ...(source.kind === 'unsupported' ? { reason: source.reason } : {}) });
  }
  for (const field of percentiles) {
    const source = sources[field]!;
    if (source.kind === 'counter' || source.kind === 'gauge') continue;
    for (const key of Object.keys(PERCENTILES) as PercentileKey[]) {
      out.push({ field: `${prefix}${field}.${key}`, query: percentileQuery(source, name, key, quantileWindow(step)), names: sourceNames(source), ...(source.kind === 'unsupported' ? { reason: source.reason } : {}) });
    }
  }
  return out;
}

/**
 * Series for charts: every serving field of the runtime and every gateway field (`gateway.` +
 * field), percentiles as `<field>.p50|p95|p99`, one range query each, in parallel. Fields with
 * no series are listed in `missing` with why.
 */
export async function metricsHistory(
  client: PrometheusClient,
  deployment: { id: string; name: string; runtime: { id: string; servingMetrics: ServingMetricMap } },
  range: HistoryRange,
): Promise<DeploymentMetricsHistory> {
  const step = range.stepSeconds;
  const all = [
    ...wanted('', deployment.runtime.servingMetrics.fields, SCALAR_SERVING_FIELDS, PERCENTILE_SERVING_FIELDS, deployment.name, step),
    ...wanted('gateway.', GATEWAY_SOURCES, GATEWAY_SCALAR_FIELDS, GATEWAY_PERCENTILE_FIELDS, deployment.name, step),
  ];
  const answers = await Promise.all(all.map(async (item) => (item.query === undefined ? undefined : client.queryRange(item.query, range))));
  const series: MetricSeries[] = [];
  const missing: Array<{ field: string; reason: string }> = [];
  all.forEach((item, index) => {
    const answer = answers[index];
    if (item.query === undefined) missing.push({ field: item.field, reason: item.reason ?? 'Not exported by this runtime.' });
    else if (!answer || answer.length === 0) missing.push({ field: item.field, reason: `Prometheus has no ${item.names} series for this deployment in this range.` });
    else series.push({ field: item.field, label: '', points: answer[0]!.points });
  });
  return { deploymentId: deployment.id, runtime: deployment.runtime.id, start: range.start.toISOString(), end: range.end.toISOString(), stepSeconds: step, series, missing, ...staleness(series, range) };
}

/**
 * Stale when the newest point of any series is more than two steps (and two minutes) before the
 * end of the range: Prometheus stopped scraping the deployment, or the range runs past its data.
 */
export function staleness(series: readonly MetricSeries[], range: HistoryRange): { stale: boolean; staleReason?: string } {
  const newest = Math.max(...series.flatMap((line) => line.points.map(([at]) => at)), Number.NEGATIVE_INFINITY);
  if (newest === Number.NEGATIVE_INFINITY) return { stale: false };
  const gap = range.end.getTime() / 1000 - newest;
  if (gap <= Math.max(2 * range.stepSeconds, 120)) return { stale: false };
  return { stale: true, staleReason: `Prometheus's newest sample of this deployment is ${Math.round(gap)} s before the end of the range.` };
}
