import type { ApiKeyMetrics, MetricValue } from '../domain/monitoring.js';
import type { PrometheusClient } from './prometheus-client.js';
import { PERCENTILES, promDuration, promString, type PercentileKey } from './promql.js';

/**
 * One API key's numbers from Prometheus: one instant query per field, in parallel, over the
 * gateway's `hmas_inference_key_*` series (summed over every gateway instance Prometheus
 * scrapes). The key id is a PromQL string literal (escaped), never spliced in raw. A key without
 * series (unused in the range, or Prometheus not scraping H-MAS) is null with that reason.
 */
export async function prometheusApiKeyMetrics(client: PrometheusClient, keyId: string, rangeSeconds: number, at: Date): Promise<ApiKeyMetrics> {
  const key = `api_key=${promString(keyId)}`;
  const window = `[${promDuration(rangeSeconds)}]`;
  const noSeries = 'Prometheus has no hmas_inference_key_* series of this key in the range (unused, or Prometheus does not scrape H-MAS /metrics).';
  const value = async (query: string, emptyReason: string): Promise<MetricValue> => {
    const samples = await client.query(query, at);
    if (samples.length === 0) return { value: null, reason: noSeries };
    const number = samples[0]!.value;
    return number === null ? { value: null, reason: emptyReason } : { value: number };
  };
  const counter = (name: string, extra = '') => `sum(rate(${name}{${key}${extra}}${window}))`;
  const percentile = (p: PercentileKey) =>
    value(`histogram_quantile(${PERCENTILES[p]}, sum by (le) (rate(hmas_inference_key_duration_seconds_bucket{${key}}${window})))`, 'No request of this key finished in the range.');
  const [requests, requestsPerSecond, errorsPerSecond, promptTokensPerSecond, completionTokensPerSecond, p50, p95, p99] = await Promise.all([
    value(`sum(increase(hmas_inference_key_requests_total{${key}}${window}))`, 'Not a number.'),
    value(counter('hmas_inference_key_requests_total'), 'Not a number.'),
    // A status class has a series only once it happened: where the key has requests, no 5xx is a true 0.
    value(`(${counter('hmas_inference_key_requests_total', ',status_class="5xx"')} or 0 * ${counter('hmas_inference_key_requests_total')})`, 'Not a number.'),
    value(counter('hmas_inference_key_tokens_total', ',direction="prompt"'), 'Not a number.'),
    value(counter('hmas_inference_key_tokens_total', ',direction="completion"'), 'Not a number.'),
    percentile('p50'),
    percentile('p95'),
    percentile('p99'),
  ]);
  return {
    apiKeyId: keyId,
    rangeSeconds,
    at: at.toISOString(),
    requests,
    requestsPerSecond,
    errorsPerSecond,
    latencySeconds: { p50, p95, p99 },
    promptTokensPerSecond,
    completionTokensPerSecond,
  };
}
