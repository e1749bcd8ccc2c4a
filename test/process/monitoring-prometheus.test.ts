import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../src/domain/api-error.js';
import type { DeploymentMetricsHistory, DeploymentMetricsSnapshot } from '../../src/domain/monitoring.js';
import { scrapeHmas, startIdlePrometheus, withoutPrometheus, type PrometheusHarness } from '../support/prometheus.js';
import { startTinyModelServer, type TinyModelServer } from '../support/tiny-model-server.js';
import { untilRouted } from '../support/until-routed.js';
import { waitFor } from '../support/wait-for.js';

const DEPLOYMENT = 'mon-chat';
const FIRST_BATCH = 5;
/** More than the first batch gave when its rate first showed: the rate over the one-minute window must rise above it. */
const SECOND_BATCH = 15;
const POLL = { timeoutMs: 90_000, pollMs: 500 } as const;

// The monitoring API of a real server started with PROMETHEUS_URL, a real Prometheus scraping a
// real embedded-runtime replica (found through H-MAS's discovery) and the server's own /metrics:
// traffic through the gateway shows up in the snapshot and the history (relations, never absolute
// times), and with Prometheus gone the snapshot falls back to live reads and history answers 503.
describe.skipIf(withoutPrometheus('Monitoring API against a real Prometheus'))('monitoring API against a real Prometheus', { timeout: 240_000 }, () => {
  let hmas: TinyModelServer;
  let prometheus: PrometheusHarness;
  let deploymentId: string;
  let inferenceKey: string;

  const snapshot = async () => hmas.json<DeploymentMetricsSnapshot>(await hmas.api('GET', `/api/deployments/${deploymentId}/metrics`), 200);
  const chat = async () => {
    await hmas.json(await untilRouted(DEPLOYMENT, () => hmas.chat(DEPLOYMENT, inferenceKey), (response) => response.status), 200);
  };
  const drive = async (count: number) => {
    for (let sent = 0; sent < count; sent += 1) await chat();
  };

  beforeAll(async () => {
    // Prometheus first, scraping nothing: the server starts knowing its URL.
    prometheus = await startIdlePrometheus();
    hmas = await startTinyModelServer({ prefix: 'hmas-monitoring-prometheus-', env: { PROMETHEUS_URL: prometheus.url } });
  }, 120_000);
  afterAll(async () => {
    await prometheus?.close();
    await hmas?.close();
  });

  it('answers snapshots and history from Prometheus that follow the traffic, and falls back to live reads when Prometheus stops', async () => {
    deploymentId = await hmas.deploy(DEPLOYMENT, 'tiny-monitoring');
    const { api, json, server } = hmas;
    const monitoringKey = (await json<{ key: string }>(await api('POST', '/api/api-keys', { name: 'prometheus', scopes: ['monitoring'] }), 201)).key;
    inferenceKey = (await json<{ key: string }>(await api('POST', '/api/api-keys', { name: 'load' }), 201)).key;
    await scrapeHmas(prometheus, { hmasUrl: server.url, monitoringKey });
    const describeState = async () => ({ snapshot: await snapshot(), targets: await prometheus.targets(), output: prometheus.output() });

    // The snapshot comes from Prometheus once it scrapes the replica.
    await waitFor('a snapshot from Prometheus', async () => ((await snapshot()).source === 'prometheus' ? true : undefined), { ...POLL, describe: describeState });

    // A counter series is born with the first request it counts, and a rate sees only what comes
    // after its first scrape: so one more request per poll until the rate shows them.
    await drive(FIRST_BATCH);
    const first = await waitFor('requests per second above 0', async () => {
      await chat();
      const now = await snapshot();
      return now.source === 'prometheus' && (now.serving.requestsPerSecond.value ?? 0) > 0 ? now : undefined;
    }, { ...POLL, describe: describeState });
    expect(first.stale, first.staleReason).toBe(false);

    // History: the requests chart has points with values.
    const history = await waitFor('history of requests per second with a value', async () => {
      const answer = await json<DeploymentMetricsHistory>(await api('GET', `/api/deployments/${deploymentId}/metrics/history?range=15m&step=5s`), 200);
      const requests = answer.series.find((series) => series.field === 'requestsPerSecond');
      return requests?.points.some(([, value]) => value !== null && value > 0) ? answer : undefined;
    }, POLL);
    expect(history.stepSeconds).toBe(5);
    expect(history.missing.map((entry) => entry.field)).not.toContain('requestsPerSecond');

    // More requests: the rate over the same window rises above what the first batch gave.
    await drive(SECOND_BATCH);
    const firstRate = first.serving.requestsPerSecond.value!;
    const higher = await waitFor('requests per second above the first batch’s', async () => {
      const now = await snapshot();
      return (now.serving.requestsPerSecond.value ?? 0) > firstRate ? now : undefined;
    }, { ...POLL, describe: describeState });
    expect(higher.serving.requestsPerSecond.value).toBeGreaterThan(firstRate);

    // The gateway's latency percentiles (one request per poll, so its counters rise between scrapes).
    const latency = await waitFor('the gateway’s latency percentiles', async () => {
      await chat();
      const { p50, p99 } = (await snapshot()).gateway.latencySeconds;
      return p50.value !== null && p99.value !== null ? { p50: p50.value, p99: p99.value } : undefined;
    }, { ...POLL, describe: describeState });
    expect(latency.p50).toBeGreaterThan(0);
    expect(latency.p99).toBeGreaterThanOrEqual(latency.p50);

    // Prometheus gone: the snapshot reads the replicas live and says why; history cannot.
    await prometheus.close();
    const fallback = await snapshot();
    expect(fallback.source).toBe('live');
    expect(fallback.stale).toBe(true);
    expect(fallback.staleReason).toMatch(/Prometheus did not answer.*Numbers read live from the replicas\./);
    // Numbers still, read from the replica itself (a gauge needs no second read).
    expect(fallback.serving.runningRequests.value, fallback.serving.runningRequests.reason).not.toBeNull();
    const { error } = await json<ApiErrorBody>(await api('GET', `/api/deployments/${deploymentId}/metrics/history?range=15m&step=5s`), 503);
    expect(error.code).toBe('PROMETHEUS_UNAVAILABLE');
    expect(error.message).toMatch(/^Prometheus did not answer the query: /);
  });
});
