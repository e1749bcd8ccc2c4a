import type { DeploymentMetricsHistory, DeploymentMetricsSnapshot, MetricSeries } from '../../api/types';
import type { ChartLine } from '../../components/charts/TimeSeriesChart';
import type { MetricUnit } from '../../components/charts/units';

/**
 * How the instance's Metrics tab reads the monitoring answers. Field names are the keys of the
 * normalized serving metrics (`requestsPerSecond`, `kvCacheUsage`, …), the gateway's with a
 * `gateway.` prefix; a percentile's series is its key and quantile joined by a dot
 * (`ttftSeconds.p95`). `unsupported` and `missing` may name the key alone (every quantile).
 */
const QUANTILES = ['p50', 'p95', 'p99'] as const;

/** A field name without a `serving.` prefix, should the server give one. */
const bare = (field: string) => field.replace(/^serving\./, '');

/** Whether an entry of `unsupported`/`missing` covers `field` (a percentile key covers its quantiles). */
const covers = (entry: string, field: string) => {
  const name = bare(entry);
  return name === field || field.startsWith(`${name}.`);
};

/** Why the runtime never has `field` ("not exposed by ollama: …"), or undefined. */
export function unsupportedReason(snapshot: Pick<DeploymentMetricsSnapshot, 'unsupported' | 'runtime'> | undefined, field: string): string | undefined {
  const entry = snapshot?.unsupported.find((item) => covers(item.field, field));
  return entry ? `not exposed by ${snapshot?.runtime}` : undefined;
}

export interface HistoryChartSpec {
  title: string;
  unit: MetricUnit;
  lines: ReadonlyArray<{ field: string; label: string }>;
}

const percentileLines = (key: string) => QUANTILES.map((quantile) => ({ field: `${key}.${quantile}`, label: quantile }));

/** The charts of the Metrics tab, top to bottom. */
export const HISTORY_CHARTS: readonly HistoryChartSpec[] = [
  {
    title: 'Requests and errors per second',
    unit: 'rps',
    lines: [
      { field: 'requestsPerSecond', label: 'requests/s' },
      { field: 'errorsPerSecond', label: 'errors/s' },
    ],
  },
  {
    title: 'Tokens per second',
    unit: 'tps',
    lines: [
      { field: 'generatedTokensPerSecond', label: 'generated' },
      { field: 'promptTokensPerSecond', label: 'prompt' },
    ],
  },
  { title: 'Time to first token', unit: 'seconds', lines: percentileLines('ttftSeconds') },
  { title: 'End-to-end latency', unit: 'seconds', lines: percentileLines('e2eLatencySeconds') },
  {
    title: 'Running and waiting requests',
    unit: 'count',
    lines: [
      { field: 'runningRequests', label: 'running' },
      { field: 'waitingRequests', label: 'waiting' },
    ],
  },
  { title: 'KV cache in use', unit: 'ratio', lines: [{ field: 'kvCacheUsage', label: 'KV cache' }] },
  {
    title: 'Gateway: requests and errors per second',
    unit: 'rps',
    lines: [
      { field: 'gateway.requestsPerSecond', label: 'requests/s' },
      { field: 'gateway.errorsPerSecond', label: 'errors/s' },
    ],
  },
  { title: 'Gateway: latency', unit: 'seconds', lines: percentileLines('gateway.latencySeconds') },
];

/** The chart's lines out of the history: one per series of each field (a replica's own label added). */
export function chartLines(spec: HistoryChartSpec, series: readonly MetricSeries[]): ChartLine[] {
  return spec.lines.flatMap((line) =>
    series.filter((item) => bare(item.field) === line.field).map((item) => ({ label: item.label ? `${line.label} · ${item.label}` : line.label, points: item.points })),
  );
}

/**
 * Why a chart has nothing to draw: "not exposed by <runtime>" for fields the runtime never has,
 * else the server's reasons for the missing series, else undefined (no samples in the range).
 */
export function chartGap(spec: HistoryChartSpec, history: Pick<DeploymentMetricsHistory, 'missing'> | undefined): string | undefined {
  const reasons = new Set<string>();
  for (const line of spec.lines) {
    const missing = history?.missing.find((item) => covers(item.field, line.field));
    if (missing) reasons.add(missing.reason);
  }
  return reasons.size > 0 ? [...reasons].join(' ') : undefined;
}
