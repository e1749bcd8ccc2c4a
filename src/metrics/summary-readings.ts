import type { MetricValue } from '../domain/monitoring.js';
import { parseExposition } from './exposition.js';
import { GATEWAY_SOURCES } from './gateway-sources.js';
import { evaluatePercentiles, evaluateScalar, type ReadingPair } from './live-evaluate.js';
import type { PrometheusClient } from './prometheus-client.js';
import type { ReadingMemory } from './reading-memory.js';
import { SUMMARY_QUERIES, SUMMARY_QUERY_KEYS, SUMMARY_SERIES, type SummaryQueryKey } from './summary-queries.js';

/** The dashboard's numbers of one deployment, each a value or null with why. */
export interface DeploymentNumbers {
  requestsPerSecond: MetricValue;
  errorsPerSecond: MetricValue;
  tokensPerSecond: MetricValue;
  p95LatencySeconds: MetricValue;
  activeRequests: MetricValue;
  kvCacheUsage: MetricValue;
  /** Seconds of TTFT observed per second and requests observed per second: a mean TTFT over many deployments is Σsum / Σcount. */
  ttft: { sumPerSecond: number; countPerSecond: number } | MetricValue;
}

/** The numbers of a deployment by its name. */
export type SummaryReading = (deployment: string) => DeploymentNumbers;

const QUANTILE_NAN = 'No request finished in the last 5 minutes.';

/** Where a Prometheus series is missing, per query. */
const MISSING: Record<SummaryQueryKey, string> = {
  requestsPerSecond: `Prometheus has no ${SUMMARY_SERIES.gateway} series of this deployment: no request went through a gateway Prometheus scrapes.`,
  errorsPerSecond: `Prometheus has no ${SUMMARY_SERIES.gateway} series of this deployment: no request went through a gateway Prometheus scrapes.`,
  tokensPerSecond: 'Prometheus has no completion-token series of this deployment: no answer with token usage went through a gateway Prometheus scrapes.',
  p95LatencySeconds: `Prometheus has no latency series of this deployment: no request went through a gateway Prometheus scrapes.`,
  activeRequests: 'Prometheus has no hmas_inference_active_requests series of this deployment.',
  ttftSumPerSecond: `Prometheus has no TTFT series (${SUMMARY_SERIES.ttft}) of this deployment: its runtime exports none, or Prometheus does not scrape its replicas.`,
  ttftCountPerSecond: `Prometheus has no TTFT series (${SUMMARY_SERIES.ttft}) of this deployment: its runtime exports none, or Prometheus does not scrape its replicas.`,
  kvCacheUsage: `Prometheus has no KV-cache series (${SUMMARY_SERIES.kvCache}) of this deployment: its runtime exports none, or Prometheus does not scrape its replicas.`,
};

/** Every summary query at once, at `at`; one answer per deployment and query. */
export async function prometheusSummaryReading(client: PrometheusClient, at: Date): Promise<SummaryReading> {
  const answers = await Promise.all(SUMMARY_QUERY_KEYS.map((key) => client.query(SUMMARY_QUERIES[key], at)));
  const byKey = new Map<SummaryQueryKey, Map<string, number | null>>();
  SUMMARY_QUERY_KEYS.forEach((key, index) => {
    byKey.set(key, new Map(answers[index]!.filter((sample) => sample.labels.deployment !== undefined).map((sample) => [sample.labels.deployment!, sample.value])));
  });
  return (deployment) => {
    const read = (key: SummaryQueryKey, nan: string): MetricValue => {
      const answer = byKey.get(key)!;
      if (!answer.has(deployment)) return { value: null, reason: MISSING[key] };
      const value = answer.get(deployment)!;
      return value === null ? { value: null, reason: nan } : { value };
    };
    const sum = read('ttftSumPerSecond', QUANTILE_NAN);
    const count = read('ttftCountPerSecond', QUANTILE_NAN);
    return {
      requestsPerSecond: read('requestsPerSecond', 'Not a number (no samples in the window).'),
      errorsPerSecond: read('errorsPerSecond', 'Not a number (no samples in the window).'),
      tokensPerSecond: read('tokensPerSecond', 'Not a number (no samples in the window).'),
      p95LatencySeconds: read('p95LatencySeconds', QUANTILE_NAN),
      activeRequests: read('activeRequests', 'Not a number.'),
      kvCacheUsage: read('kvCacheUsage', 'Not a number.'),
      ttft: sum.value === null ? sum : count.value === null ? count : { sumPerSecond: sum.value, countPerSecond: count.value },
    };
  };
}

const LIVE_TTFT = "Without Prometheus the summary reads only this instance's gateway: the deployment's own metrics (GET /api/deployments/:id/metrics) read its replicas' TTFT.";
const LIVE_KV = "Without Prometheus the summary reads only this instance's gateway: the deployment's own metrics (GET /api/deployments/:id/metrics) read its replicas' KV cache.";
const NOT_SERVED = "This instance's gateway has served no request of this deployment since it started (other instances' requests are counted only through Prometheus).";

/**
 * The numbers this instance's gateway measured (`hmas_inference_*` of its registry), read now:
 * rates against the reading remembered a window earlier (null until there is one).
 */
export async function liveSummaryReading(deps: { memory: ReadingMemory; gatewayExposition(): Promise<string> }): Promise<SummaryReading> {
  const pair = deps.memory.record('metrics-summary gateway', parseExposition(await deps.gatewayExposition()).samples);
  return (deployment) => {
    const only = (samples: ReadingPair['current']['samples']) => samples.filter((sample) => sample.labels.deployment === deployment);
    const current = { at: pair.current.at, samples: only(pair.current.samples) };
    if (current.samples.length === 0) {
      const none = { value: null, reason: NOT_SERVED };
      return { requestsPerSecond: none, errorsPerSecond: none, tokensPerSecond: none, p95LatencySeconds: none, activeRequests: none, kvCacheUsage: { value: null, reason: LIVE_KV }, ttft: { value: null, reason: LIVE_TTFT } };
    }
    const readings: ReadingPair[] = [{ current, ...(pair.baseline ? { baseline: { at: pair.baseline.at, samples: only(pair.baseline.samples) } } : {}) }];
    return {
      requestsPerSecond: evaluateScalar(GATEWAY_SOURCES.requestsPerSecond, readings),
      errorsPerSecond: evaluateScalar(GATEWAY_SOURCES.errorsPerSecond, readings),
      tokensPerSecond: evaluateScalar(GATEWAY_SOURCES.completionTokensPerSecond, readings),
      p95LatencySeconds: evaluatePercentiles(GATEWAY_SOURCES.latencySeconds, readings).p95,
      activeRequests: evaluateScalar(GATEWAY_SOURCES.activeRequests, readings),
      kvCacheUsage: { value: null, reason: LIVE_KV },
      ttft: { value: null, reason: LIVE_TTFT },
    };
  };
}
