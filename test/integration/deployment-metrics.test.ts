import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentMetricsHistory, DeploymentMetricsSnapshot } from '../../src/domain/monitoring.js';
import type { RuntimeServer } from '../../src/runtimes/embedded/runtime-server.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { refusingUrl } from '../support/fake-upstream.js';
import { PROMETHEUS_BIN, withoutPrometheus } from '../support/prometheus.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startTestRuntimeServer } from '../support/test-runtime-server.js';
import { writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';

// GET /api/deployments/:id/metrics and /metrics/history against a real embedded-runtime replica
// (real node-llama-cpp, real HTTP /metrics), reached the way the gateway reaches it; Prometheus
// absent, refusing, hanging, and — the real Debian server — scraping that replica.

let dir: string;
let runtime: RuntimeServer;
const removals: Array<() => Promise<void>> = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hmas-deployment-metrics-'));
  const model = path.join(dir, 'tiny.gguf');
  await writeTinyModel(model);
  runtime = await startTestRuntimeServer(model);
  await runtime.loaded;
});

afterAll(async () => {
  await runtime?.close({ graceMs: 0 });
  await rm(dir, { recursive: true, force: true });
});

async function served(t: TestApp, name: string, endpoints: string[], runtimeId = 'embedded-llamacpp') {
  const deployment = await insertServedDeployment(t.database.handle, name, endpoints, { runtime: runtimeId });
  removals.push(deployment.remove);
  return deployment.id;
}

async function chat(t: TestApp, headers: { authorization: string }, name: string): Promise<void> {
  const answer = await waitFor(`${name} to answer through the gateway`, async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/inference/${name}/v1/chat/completions`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ model: name, messages: [{ role: 'user', content: 'Say hello' }], temperature: 0 }),
    });
    return response.statusCode === 503 ? undefined : response;
  });
  expect(answer.statusCode, answer.body).toBe(200);
}

async function closeApp(t: TestApp | undefined): Promise<void> {
  for (const remove of removals.splice(0)) await remove();
  await t?.close();
}

describe('deployment metrics without Prometheus (live reads)', { timeout: 120_000 }, () => {
  let t: TestApp;
  let viewer: { authorization: string };
  let admin: { authorization: string };
  let id: string;

  beforeAll(async () => {
    t = await createTestApp('pglite');
    admin = await t.admin();
    viewer = (await t.userWithRole('viewer')).headers;
    id = await served(t, 'metrics-live', [`${runtime.url}/v1`]);
  });
  afterAll(() => closeApp(t));

  const snapshot = async (deploymentId = id) => {
    const response = await t.app.inject({ method: 'GET', url: `/api/deployments/${deploymentId}/metrics`, headers: viewer });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<DeploymentMetricsSnapshot>();
  };

  it("reads the replica's /metrics: gauges at once, rates from the second reading, percentiles since start", async () => {
    await chat(t, admin, 'metrics-live');
    const first = await snapshot();
    expect(first).toMatchObject({ deploymentId: id, deployment: 'metrics-live', runtime: 'embedded-llamacpp', source: 'live', stale: false, unsupported: [] });
    expect(first.serving.kvCacheUsage.value).toBeGreaterThan(0);
    expect(first.serving.runningRequests.value).toBe(0);
    expect(first.serving.requestsPerSecond).toEqual({ value: null, reason: expect.stringContaining('second reading') });
    expect(first.serving.ttftSeconds.p50.value).toBeGreaterThan(0);
    expect(first.serving.ttftSeconds.p50.reason).toContain('started');
    // The gateway's own series of this instance: one request so far.
    expect(first.gateway.latencySeconds.p95.value).toBeGreaterThan(0);
    expect(first.gateway.requestsPerSecond.value).toBeNull();

    await chat(t, admin, 'metrics-live');
    const second = await snapshot();
    expect(second.stale).toBe(false);
    expect(second.serving.requestsPerSecond.value).toBeGreaterThan(0);
    expect(second.serving.generatedTokensPerSecond.value).toBeGreaterThan(0);
    expect(second.serving.errorsPerSecond.value).toBe(0);
    expect(second.serving.e2eLatencySeconds.p50.value).toBeGreaterThan(0);
    expect(second.gateway.requestsPerSecond.value).toBeGreaterThan(0);
    expect(second.gateway.completionTokensPerSecond.value).toBeGreaterThan(0);
  });

  it('marks the snapshot stale, with the replica, when a replica does not answer', async () => {
    const dead = await refusingUrl();
    const deadId = await served(t, 'metrics-dead', [dead]);
    // The gateway's route table takes up a new deployment at its next load (at most 250 ms apart).
    const body = await waitFor('the route table to know metrics-dead', async () => {
      const answer = await snapshot(deadId);
      return answer.staleReason?.includes('No ready replica') ? undefined : answer;
    });
    expect(body.stale).toBe(true);
    expect(body.staleReason).toMatch(/did not answer \(ECONNREFUSED\)/);
    expect(body.serving.kvCacheUsage).toEqual({ value: null, reason: 'No replica answered.' });
  });

  it('says which fields Ollama lacks instead of zeros', async () => {
    const ollamaId = await served(t, 'metrics-ollama', [`${runtime.url}/v1`], 'ollama');
    const body = await snapshot(ollamaId);
    expect(body.unsupported).toHaveLength(10);
    expect(body.serving.requestsPerSecond).toEqual({ value: null, reason: expect.stringContaining('Ollama exports no Prometheus metrics') });
    expect(body.stale).toBe(false);
  });

  it('answers history 503 PROMETHEUS_NOT_CONFIGURED with how to set it, after checking the range', async () => {
    const history = (query: string) => t.app.inject({ method: 'GET', url: `/api/deployments/${id}/metrics/history?${query}`, headers: viewer });
    const missing = await history('range=1h&step=30s');
    expect(missing.statusCode).toBe(503);
    expect(missing.json()).toMatchObject({ error: { code: 'PROMETHEUS_NOT_CONFIGURED', message: expect.stringContaining('PROMETHEUS_URL') } });
    const long = await history('range=31d');
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({ error: { code: 'METRICS_RANGE_TOO_LONG', message: expect.stringContaining('30 days') } });
    const dense = await history('range=7d&step=1s');
    expect(dense.statusCode).toBe(400);
    expect(dense.json()).toMatchObject({ error: { code: 'METRICS_TOO_MANY_POINTS', message: expect.stringContaining('11000') } });
  });
});

describe('deployment metrics when Prometheus is down or slow', { timeout: 60_000 }, () => {
  let hanging: http.Server;
  let hangingUrl: string;
  beforeAll(async () => {
    // Takes the query and never answers.
    hanging = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise<void>((resolve) => hanging.close(() => resolve()));
  });

  it('falls back to live reads, stale with the cause, and answers history 503 PROMETHEUS_UNAVAILABLE', async () => {
    const t = await createTestApp('pglite', { PROMETHEUS_URL: (await refusingUrl()).replace(/\/v1$/, '') });
    try {
      const viewer = (await t.userWithRole('viewer')).headers;
      const id = await served(t, 'metrics-prom-down', [`${runtime.url}/v1`]);
        const snapshot = await t.app.inject({ method: 'GET', url: `/api/deployments/${id}/metrics`, headers: viewer });
      expect(snapshot.statusCode, snapshot.body).toBe(200);
      expect(snapshot.json()).toMatchObject({ source: 'live', stale: true, staleReason: expect.stringMatching(/Prometheus did not answer the query: ECONNREFUSED.*read live/) });
      const history = await t.app.inject({ method: 'GET', url: `/api/deployments/${id}/metrics/history`, headers: viewer });
      expect(history.statusCode).toBe(503);
      expect(history.json()).toMatchObject({ error: { code: 'PROMETHEUS_UNAVAILABLE', message: expect.stringContaining('ECONNREFUSED') } });
    } finally {
      await closeApp(t);
    }
  });

  it('answers history 504 PROMETHEUS_TIMEOUT when Prometheus does not answer in time', async () => {
    const t = await createTestApp('pglite', { PROMETHEUS_URL: hangingUrl, PROMETHEUS_TIMEOUT_MS: '300' });
    try {
      const viewer = (await t.userWithRole('viewer')).headers;
      const id = await served(t, 'metrics-prom-slow', [`${runtime.url}/v1`]);
      const history = await t.app.inject({ method: 'GET', url: `/api/deployments/${id}/metrics/history?range=15m`, headers: viewer });
      expect(history.statusCode).toBe(504);
      expect(history.json()).toMatchObject({ error: { code: 'PROMETHEUS_TIMEOUT', message: expect.stringContaining('300 ms') } });
    } finally {
      await closeApp(t);
    }
  });
});

// Static targets with the labels HTTP SD gives (test/support/prometheus.ts discovers through
// /api/prometheus/sd, which lists only replicas a driver runs; these replicas are rows only).
describe.skipIf(withoutPrometheus('deployment metrics from a real Prometheus'))('deployment metrics from a real Prometheus', { timeout: 120_000 }, () => {
  let t: TestApp;
  let prometheus: ChildProcess | undefined;
  let promDir: string;
  let promUrl: string;
  let viewer: { authorization: string };
  let admin: { authorization: string };
  let id: string;

  /** A free port: listened on, then closed, for Prometheus's --web.listen-address. */
  async function freePort(): Promise<number> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  beforeAll(async () => {
    promDir = await mkdtemp(path.join(tmpdir(), 'hmas-prometheus-'));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    t = await createTestApp('pglite', { PROMETHEUS_URL: promUrl });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const hmas = `127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    admin = await t.admin();
    viewer = (await t.userWithRole('viewer')).headers;
    id = await served(t, 'metrics-prom', [`${runtime.url}/v1`]);
    // What HTTP SD would give Prometheus (the replica, labelled with its deployment), as a static
    // target, and H-MAS's own /metrics (the gateway's hmas_inference_* series) as a static job.
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        { job_name: 'replicas', static_configs: [{ targets: [new URL(runtime.url).host], labels: { deployment: 'metrics-prom', runtime: 'embedded-llamacpp' } }] },
        { job_name: 'hmas', static_configs: [{ targets: [hmas] }] },
      ],
    };
    await writeFile(path.join(promDir, 'prometheus.yml'), JSON.stringify(config));
    prometheus = spawn(PROMETHEUS_BIN, [`--config.file=${path.join(promDir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    const holds = async (query: string) => {
      const answer = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(query)}`).catch(() => undefined);
      const body = answer?.ok ? ((await answer.json()) as { data: { result: unknown[] } }) : undefined;
      return body && body.data.result.length > 0 ? true : undefined;
    };
    const targets = async () => (await fetch(`${promUrl}/api/v1/targets`).catch(() => undefined))?.json();
    await waitFor('Prometheus to scrape the replica and H-MAS', () => holds('count(up{job=~"replicas|hmas"} == 1) == 2'), { timeoutMs: 40_000, pollMs: 250, describe: targets });
    // A series that appears has no increase yet: one request makes the series, a second one
    // (once Prometheus has the first) is what rates and percentiles over the window see.
    await chat(t, admin, 'metrics-prom');
    const both = async (query: (name: string) => string) =>
      (await holds(query('hmas_runtime_requests_total'))) && (await holds(query('hmas_inference_requests_total')));
    await waitFor('Prometheus to have the request series', () => both((name) => `${name}{deployment="metrics-prom"}`), { timeoutMs: 30_000, pollMs: 250, describe: targets });
    await chat(t, admin, 'metrics-prom');
    await waitFor('Prometheus to see the second request', () => both((name) => `sum(increase(${name}{deployment="metrics-prom"}[1m])) > 0`), { timeoutMs: 30_000, pollMs: 250, describe: targets });
  }, 120_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await closeApp(t);
    await rm(promDir, { recursive: true, force: true });
  });

  it('answers the snapshot from Prometheus, fresh', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/api/deployments/${id}/metrics`, headers: viewer });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<DeploymentMetricsSnapshot>();
    expect(body).toMatchObject({ source: 'prometheus', stale: false, runtime: 'embedded-llamacpp' });
    expect(body.serving.kvCacheUsage.value).toBeGreaterThan(0);
    expect(body.serving.runningRequests.value).toBe(0);
    expect(body.serving.ttftSeconds.p95.value).toBeGreaterThan(0);
    expect(body.gateway.latencySeconds.p95.value).toBeGreaterThan(0);
    // No 5xx through the gateway: a true 0, not a missing series.
    expect(body.gateway.errorsPerSecond).toEqual({ value: 0 });
  });

  it('answers history series for charts, and lists what has none', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/api/deployments/${id}/metrics/history?range=15m&step=1s`, headers: viewer });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<DeploymentMetricsHistory>();
    expect(body.stepSeconds).toBe(1);
    expect(body.stale).toBe(false);
    const kv = body.series.find((series) => series.field === 'kvCacheUsage');
    expect(kv?.points.some(([, value]) => value !== null && value > 0)).toBe(true);
    expect(body.series.map((series) => series.field)).toContain('gateway.latencySeconds.p95');
    expect(body.missing).toEqual([]);
  });

  it('marks the snapshot stale with the cause once Prometheus stops answering', async () => {
    prometheus?.kill('SIGTERM');
    await new Promise<void>((resolve) => (prometheus?.exitCode !== null ? resolve() : prometheus.once('exit', () => resolve())));
    prometheus = undefined;
    const response = await t.app.inject({ method: 'GET', url: `/api/deployments/${id}/metrics`, headers: viewer });
    expect(response.json()).toMatchObject({ source: 'live', stale: true, staleReason: expect.stringContaining('Prometheus') });
  });
});
