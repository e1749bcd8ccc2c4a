import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '../../src/domain/api-error.js';
import type { DeploymentMetricsHistory, DeploymentMetricsSnapshot } from '../../src/domain/monitoring.js';
import { startServerProcess, type ServerProcess } from '../support/cli-process.js';
import { scrapeHmas, startIdlePrometheus, withoutPrometheus, type PrometheusHarness } from '../support/prometheus.js';
import { modelDirForRuntimes, writeTinyModel } from '../support/tiny-model.js';
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
  let dir: string;
  let server: ServerProcess;
  let prometheus: PrometheusHarness;
  let token: string;
  let deploymentId: string | undefined;
  let inferenceKey: string;

  const api = async (method: string, url: string, body?: unknown) =>
    fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const json = async <T>(response: Response, status: number): Promise<T> => {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    return JSON.parse(text) as T;
  };
  const snapshot = async () => json<DeploymentMetricsSnapshot>(await api('GET', `/api/deployments/${deploymentId}/metrics`), 200);
  const chat = async () => {
    const send = () =>
      fetch(`${server.url}/api/inference/${DEPLOYMENT}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${inferenceKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], temperature: 0 }),
      });
    await json(await untilRouted(DEPLOYMENT, send, (response) => response.status), 200);
  };
  const drive = async (count: number) => {
    for (let sent = 0; sent < count; sent += 1) await chat();
  };

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-monitoring-prometheus-');
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    // Prometheus first, scraping nothing: the server starts knowing its URL.
    prometheus = await startIdlePrometheus();
    server = await startServerProcess({
      HMAS_DATA_DIR: path.join(dir, 'data'),
      HMAS_ADMIN_PASSWORD: 'admin-password-monitoring',
      HMAS_LOG_LEVEL: 'warn',
      HMAS_RECONCILE_INTERVAL_MS: '1000',
      HMAS_RATE_LIMIT_RPM: '0',
      PROMETHEUS_URL: prometheus.url,
    });
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-password-monitoring' }) });
    token = (await json<{ accessToken: string }>(login, 200)).accessToken;
  }, 120_000);
  afterAll(async () => {
    await prometheus?.close();
    // Replicas outlive the server by design: remove the deployment before stopping it.
    if (deploymentId && server) await api('DELETE', `/api/deployments/${deploymentId}`).catch(() => undefined);
    server?.child.kill('SIGTERM');
    await server?.exited;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers snapshots and history from Prometheus that follow the traffic, and falls back to live reads when Prometheus stops', async () => {
    const model = await json<{ id: string }>(await api('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-monitoring' }), 201);
    deploymentId = (await json<{ id: string }>(await api('POST', '/api/deployments', { name: DEPLOYMENT, modelId: model.id, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 1, optimization: { tier2: { threads: 1 } } }), 201)).id;
    await waitFor('the deployment running', async () => ((await json<{ status: string }>(await api('GET', `/api/deployments/${deploymentId}`), 200)).status === 'running' ? true : undefined), { timeoutMs: 150_000, pollMs: 500 });
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
    expect(fallback.serving.requestsPerSecond).toBeDefined();
    const { error } = await json<ApiErrorBody>(await api('GET', `/api/deployments/${deploymentId}/metrics/history?range=15m&step=5s`), 503);
    expect(error.code).toBe('PROMETHEUS_UNAVAILABLE');
    expect(error.message).toMatch(/^Prometheus did not answer the query: /);
  });
});
