import type { MetricRef, PercentileMetricSource, ScalarMetricSource } from '../runtimes/runtime-adapter.js';

/**
 * PromQL for one normalized field of one deployment, built from a runtime's metric table. Every
 * series is selected by the `deployment` label (Prometheus HTTP SD puts it on every replica
 * target; the gateway's `hmas_inference_*` series carry it themselves). Label values are string
 * literals escaped here, so no deployment name can change the query.
 */

export const PERCENTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;
export type PercentileKey = keyof typeof PERCENTILES;

/** A PromQL double-quoted string literal (Go escapes) holding exactly `value`. */
export function promString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** `name{deployment="…",label="…",label=~"…"}`; `suffix` selects a histogram's `_bucket`. */
export function selector(ref: MetricRef, deployment: string, suffix = ''): string {
  const matchers = [`deployment=${promString(deployment)}`];
  for (const [label, value] of Object.entries(ref.match ?? {})) matchers.push(`${label}=${promString(value)}`);
  for (const [label, value] of Object.entries(ref.matchRegex ?? {})) matchers.push(`${label}=~${promString(value)}`);
  return `${ref.name}${suffix}{${matchers.join(',')}}`;
}

/** A Prometheus duration from whole seconds (`90s` → `90s`: Prometheus takes any unit count). */
export const promDuration = (seconds: number): string => `${Math.max(1, Math.round(seconds))}s`;

/** Alternatives in order: the first that has series wins (`a or b` keeps `a` where it exists). */
const firstOf = (queries: string[]): string => (queries.length === 1 ? queries[0]! : queries.map((query) => `(${query})`).join(' or '));

const isFiltered = (ref: MetricRef) => Object.keys(ref.match ?? {}).length + Object.keys(ref.matchRegex ?? {}).length > 0;

/**
 * A counter's rate. A labelled counter writes a series only once its label value happened (no
 * `status_code="503"` before the first 5xx): where the counter exists but that series does not,
 * the rate is a true 0, not a missing series.
 */
function counterRate(ref: MetricRef, deployment: string, windowSeconds: number): string {
  const rate = (sel: string) => `sum(rate(${sel}[${promDuration(windowSeconds)}]))`;
  if (!isFiltered(ref)) return rate(selector(ref, deployment));
  return `(${rate(selector(ref, deployment))} or 0 * ${rate(selector({ name: ref.name }, deployment))})`;
}

/** The query of a scalar field (rates over `windowSeconds`), or undefined when unsupported. */
export function scalarQuery(source: ScalarMetricSource, deployment: string, windowSeconds: number): string | undefined {
  if (source.kind === 'unsupported') return undefined;
  if (source.kind === 'counter') return firstOf(source.metrics.map((ref) => counterRate(ref, deployment, windowSeconds)));
  return firstOf(source.metrics.map((ref) => `${source.aggregate}(${selector(ref, deployment)})`));
}

/** The query of one percentile over every replica's buckets, or undefined when unsupported. */
export function percentileQuery(source: PercentileMetricSource, deployment: string, percentile: PercentileKey, windowSeconds: number): string | undefined {
  if (source.kind === 'unsupported') return undefined;
  const q = PERCENTILES[percentile];
  return firstOf(source.metrics.map((ref) => `histogram_quantile(${q}, sum by (le) (rate(${selector(ref, deployment, '_bucket')}[${promDuration(windowSeconds)}])))`));
}

/** The metric names a source reads, for reasons ("no series vllm:… for this deployment"). */
export const sourceNames = (source: ScalarMetricSource | PercentileMetricSource): string =>
  source.kind === 'unsupported' ? '' : source.metrics.map((ref) => ref.name).join(' or ');
