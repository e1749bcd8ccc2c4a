import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createGatewayMetrics } from './gateway-metrics.js';

async function seriesOf(registry: Registry, name: string) {
  const metric = (await registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  return (metric?.values ?? []) as Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>;
}

describe('per-key gateway metrics', () => {
  it('labels requests by key id and status class, tokens by direction, duration with the deployment buckets', async () => {
    const registry = new Registry();
    const metrics = createGatewayMetrics(registry);
    const a = metrics.key('key-a');
    a.record(200, 0.2, 4, 2);
    a.record(201, 0.2, 3, 1);
    a.record(429, 0.001, 0, 0);
    a.record(499, 0.3, 0, 0);
    a.record(502, 0.01, 0, 0);
    metrics.key('').record(401, 0.001, 0, 0);

    const requests = await seriesOf(registry, 'hmas_inference_key_requests_total');
    const count = (apiKey: string, statusClass: string) =>
      requests.find((entry) => entry.labels.api_key === apiKey && entry.labels.status_class === statusClass)?.value;
    expect([count('key-a', '2xx'), count('key-a', '4xx'), count('key-a', '5xx'), count('', '4xx')]).toEqual([2, 2, 1, 1]);
    const tokens = await seriesOf(registry, 'hmas_inference_key_tokens_total');
    expect(tokens.filter((entry) => entry.labels.api_key === 'key-a').map((entry) => [entry.labels.direction, entry.value])).toEqual([
      ['prompt', 7],
      ['completion', 3],
    ]);
    const keyBuckets = (await seriesOf(registry, 'hmas_inference_key_duration_seconds')).filter((entry) => entry.metricName?.endsWith('_bucket') && entry.labels.api_key === 'key-a').map((entry) => entry.labels.le);
    metrics.deployment('d').duration.observe(0.2);
    const deploymentBuckets = (await seriesOf(registry, 'hmas_inference_duration_seconds')).filter((entry) => entry.metricName?.endsWith('_bucket')).map((entry) => entry.labels.le);
    expect(keyBuckets.filter((le) => le !== undefined)).toEqual(deploymentBuckets.filter((le) => le !== undefined));
    expect(keyBuckets.length).toBeGreaterThan(10);
  });

  it('caches the children of a key', () => {
    const metrics = createGatewayMetrics(new Registry());
    expect(metrics.key('k')).toBe(metrics.key('k'));
    expect(metrics.key('k')).not.toBe(metrics.key('other'));
  });

  it('removes a forgotten key from the registry; children held by a request in flight stay unexported', async () => {
    const registry = new Registry();
    const metrics = createGatewayMetrics(registry);
    const revoked = metrics.key('revoked');
    revoked.record(200, 1, 5, 1);
    metrics.key('kept').record(200, 1, 0, 0);
    metrics.key('').record(200, 1, 0, 0);

    metrics.forgetKey('revoked');
    metrics.forgetKey('');
    metrics.forgetKey('never-seen');
    revoked.record(200, 1, 5, 1); // a request that was in flight ends after the revocation

    const text = await registry.metrics();
    expect(text).not.toContain('api_key="revoked"');
    expect(text).toContain('hmas_inference_key_requests_total{api_key="kept",status_class="2xx"} 1');
    expect(text).toContain('hmas_inference_key_requests_total{api_key="",status_class="2xx"} 1');
    // Used again (a changed key that is still valid): starts from 0.
    metrics.key('revoked').record(200, 1, 0, 0);
    expect(await registry.metrics()).toContain('hmas_inference_key_requests_total{api_key="revoked",status_class="2xx"} 1');
  });
});
