import type { MetricRef } from '../runtimes/runtime-adapter.js';
import { listRuntimes } from '../runtimes/index.js';
import { GATEWAY_SOURCES } from './gateway-sources.js';
import { promDuration, promString } from './promql.js';
import { SNAPSHOT_QUANTILE_WINDOW_SECONDS, SNAPSHOT_RATE_WINDOW_SECONDS } from './prometheus-snapshot.js';

/**
 * The dashboard's PromQL: one query per number over every deployment at once, grouped
 * `by (deployment)`, not one snapshot per deployment. Requests, errors, tokens and latency come
 * from the gateway's `hmas_inference_*` series (there for every runtime); TTFT and KV cache from
 * the runtimes' own series where a runtime has them (names from each runtime's table).
 */

export type SummaryQueryKey = 'requestsPerSecond' | 'errorsPerSecond' | 'tokensPerSecond' | 'p95LatencySeconds' | 'activeRequests' | 'ttftSumPerSecond' | 'ttftCountPerSecond' | 'kvCacheUsage';

const rateWindow = promDuration(SNAPSHOT_RATE_WINDOW_SECONDS);
const quantileWindow = promDuration(SNAPSHOT_QUANTILE_WINDOW_SECONDS);

/** A gateway table row's selector over every deployment: its name and its own matchers (`status_code=~"5.."`). */
function gatewaySelector(source: { kind: string; metrics?: readonly MetricRef[] }): string {
  const ref = source.metrics![0]!;
  const matchers = [
    ...Object.entries(ref.match ?? {}).map(([label, value]) => `${label}=${promString(value)}`),
    ...Object.entries(ref.matchRegex ?? {}).map(([label, value]) => `${label}=~${promString(value)}`),
  ];
  return matchers.length > 0 ? `${ref.name}{${matchers.join(',')}}` : ref.name;
}

/** Every metric name the runtimes give for a field, each once, in runtime order. */
function runtimeNames(field: 'ttftSeconds' | 'kvCacheUsage'): string[] {
  const names = new Set<string>();
  for (const runtime of listRuntimes()) {
    const source = runtime.servingMetrics.fields[field];
    if (source.kind !== 'unsupported') for (const ref of source.metrics) names.add(ref.name);
  }
  return [...names];
}

/** Alternatives by metric name; `or` keeps the first where a deployment has several. */
const eitherOf = (queries: string[]): string => queries.map((query) => `(${query})`).join(' or ');

const requests = gatewaySelector(GATEWAY_SOURCES.requestsPerSecond);
const errors = gatewaySelector(GATEWAY_SOURCES.errorsPerSecond);
const tokens = gatewaySelector(GATEWAY_SOURCES.completionTokensPerSecond);
const duration = gatewaySelector(GATEWAY_SOURCES.latencySeconds);
const active = gatewaySelector(GATEWAY_SOURCES.activeRequests);

/** The queries, each answering one sample per deployment (label `deployment`). */
export const SUMMARY_QUERIES: Readonly<Record<SummaryQueryKey, string>> = {
  requestsPerSecond: `sum by (deployment) (rate(${requests}[${rateWindow}]))`,
  // A deployment with requests but no 5xx yet has no 5xx series: its error rate is a true 0.
  errorsPerSecond: `sum by (deployment) (rate(${errors}[${rateWindow}])) or 0 * sum by (deployment) (rate(${requests}[${rateWindow}]))`,
  tokensPerSecond: `sum by (deployment) (rate(${tokens}[${rateWindow}]))`,
  p95LatencySeconds: `histogram_quantile(0.95, sum by (deployment, le) (rate(${duration}_bucket[${quantileWindow}])))`,
  activeRequests: `sum by (deployment) (${active})`,
  ttftSumPerSecond: eitherOf(runtimeNames('ttftSeconds').map((name) => `sum by (deployment) (rate(${name}_sum[${quantileWindow}]))`)),
  ttftCountPerSecond: eitherOf(runtimeNames('ttftSeconds').map((name) => `sum by (deployment) (rate(${name}_count[${quantileWindow}]))`)),
  kvCacheUsage: eitherOf(runtimeNames('kvCacheUsage').map((name) => `max by (deployment) (${name})`)),
};

export const SUMMARY_QUERY_KEYS = Object.keys(SUMMARY_QUERIES) as SummaryQueryKey[];

/** The series the summary reads, for reasons ("no hmas_inference_requests_total series"). */
export const SUMMARY_SERIES = { gateway: requests, ttft: runtimeNames('ttftSeconds').join(' or '), kvCache: runtimeNames('kvCacheUsage').join(' or ') };
