import type { GatewayMetrics } from '../domain/monitoring.js';
import type { PercentileMetricSource, ScalarMetricSource } from '../runtimes/runtime-adapter.js';

type PercentileGatewayField = 'latencySeconds' | 'ttfbSeconds';
type ScalarGatewayField = Exclude<keyof GatewayMetrics, PercentileGatewayField>;

/**
 * What the gateway measures of every deployment, whatever its runtime: its own `hmas_inference_*`
 * series (`gateway/proxy/gateway-metrics.ts`), in the same table form as a runtime's, so the same
 * PromQL builders and live reader serve both. Errors are answers with a 5xx status (the gateway's
 * own 502/503/504 included); 4xx answers are the caller's.
 */
export const GATEWAY_SOURCES: { [F in ScalarGatewayField]: ScalarMetricSource } & { [F in PercentileGatewayField]: PercentileMetricSource } = {
  requestsPerSecond: { kind: 'counter', metrics: [{ name: 'hmas_inference_requests_total' }] },
  errorsPerSecond: { kind: 'counter', metrics: [{ name: 'hmas_inference_requests_total', matchRegex: { status_code: '5..' } }] },
  promptTokensPerSecond: { kind: 'counter', metrics: [{ name: 'hmas_inference_tokens_total', match: { direction: 'prompt' } }] },
  completionTokensPerSecond: { kind: 'counter', metrics: [{ name: 'hmas_inference_tokens_total', match: { direction: 'completion' } }] },
  latencySeconds: { kind: 'histogram', metrics: [{ name: 'hmas_inference_duration_seconds' }] },
  ttfbSeconds: { kind: 'histogram', metrics: [{ name: 'hmas_inference_ttfb_seconds' }] },
  activeRequests: { kind: 'gauge', metrics: [{ name: 'hmas_inference_active_requests' }], aggregate: 'sum' },
};

export const GATEWAY_PERCENTILE_FIELDS: readonly PercentileGatewayField[] = ['latencySeconds', 'ttfbSeconds'];
export const GATEWAY_SCALAR_FIELDS: readonly ScalarGatewayField[] = ['requestsPerSecond', 'errorsPerSecond', 'promptTokensPerSecond', 'completionTokensPerSecond', 'activeRequests'];
