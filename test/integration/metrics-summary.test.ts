import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployments } from '../../src/db/schema/index.js';
import type { ClusterGpuMetrics, DeploymentMetricsSnapshot, MetricsSummary } from '../../src/domain/monitoring.js';
import { unusedLocalUrl } from '../fakes/fake-kube-apiserver.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { writeFakeNvidiaSmi } from '../support/fake-nvidia-smi.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { startPrometheusWith, withoutPrometheus, type PrometheusHarness } from '../support/prometheus.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

/**
 * `GET /api/metrics/summary`: without Prometheus (this instance's gateway, the inventory
 * placement counts, nvidia-smi on this host — a script printing recorded output), with
 * Prometheus down, and with a real Prometheus scraping H-MAS's own /metrics, a replica's
 * exposition (a vLLM TTFT histogram that grows at every scrape, a KV-cache gauge) and the
 * recorded dcgm-exporter text as cluster local's.
 */

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

const summaryOf = async (t: TestApp): Promise<MetricsSummary> => {
  const response = await t.app.inject({ method: 'GET', url: '/api/metrics/summary', headers: (await t.userWithRole('viewer')).headers });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<MetricsSummary>();
};

async function chat(t: TestApp, name: string): Promise<void> {
  const response = await waitFor(`${name} to answer through the gateway`, async () => {
    const answer = await t.app.inject({
      method: 'POST',
      url: `/api/inference/${name}/v1/chat/completions`,
      headers: { ...(await t.admin()), 'content-type': 'application/json' },
      payload: JSON.stringify({ model: name, messages: [{ role: 'user', content: 'hello' }] }),
    });
    return answer.statusCode === 503 ? undefined : answer;
  });
  expect(response.statusCode, response.body).toBe(200);
}

let dir: string;
let smi: string;
let upstream: FakeUpstream;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hmas-metrics-summary-'));
  smi = await writeFakeNvidiaSmi(dir);
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

describe.each(testBackends())('metrics summary without Prometheus (%s)', (backend) => {
  let t: TestApp;
  const removals: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    t = await createTestApp(backend, { HMAS_NVIDIA_SMI: smi });
    const admin = await t.admin();
    // Cluster local's inventory from the recorded nvidia-smi (eight H100s); a member cluster with none.
    expect((await t.app.inject({ method: 'POST', url: '/api/clusters/local/test', headers: admin })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/clusters', headers: admin, payload: { name: 'gpu-east', type: 'HP', connection: { kind: 'agent' } } })).statusCode).toBe(201);
    const profile = await t.app.inject({ method: 'POST', url: '/api/resource-profiles', headers: admin, payload: { name: 'two-gpus', gpuCount: 2, cpu: '4', memory: '16Gi' } });
    expect(profile.statusCode, profile.body).toBe(201);
    const chatDeployment = await insertServedDeployment(t.database.handle, 'sum-chat', [upstream.url]);
    const paused = await insertServedDeployment(t.database.handle, 'sum-paused', [], { status: 'paused', paused: true });
    removals.push(chatDeployment.remove, paused.remove);
    await t.database.handle.db.update(deployments).set({ resourceProfileId: profile.json<{ id: string }>().id }).where(eq(deployments.id, chatDeployment.id));
  });
  afterAll(async () => {
    for (const remove of removals) await remove();
    await t?.close();
  });

  it('answers allocation from the inventory, temperatures from nvidia-smi, and nulls with reasons', async () => {
    const body = await summaryOf(t);
    expect(body).toMatchObject({ prometheus: 'not_configured', stale: false });
    const local = body.clusters.find((cluster) => cluster.cluster === 'local')!;
    // Eight GPUs on the host; sum-chat's profile holds two of them (sum-paused holds none).
    expect(local).toMatchObject({ gpusTotal: 8, gpusAllocated: 2 });
    expect(local.temperatures).toHaveLength(4);
    expect(local.temperatures.every((gpu) => gpu.node.length > 0 && typeof gpu.celsius === 'number')).toBe(true);
    expect(local.gpuUtilization.value).toEqual(expect.any(Number));
    const east = body.clusters.find((cluster) => cluster.cluster === 'gpu-east')!;
    expect(east).toMatchObject({ gpusTotal: 0, gpusAllocated: 0, temperatures: [], gpuUtilization: { value: null, reason: expect.stringMatching(/PROMETHEUS_URL/) } });
    const celsius = local.temperatures.map((gpu) => gpu.celsius!);
    expect(body.totals.meanGpuTemperatureCelsius.value).toBeCloseTo(celsius.reduce((a, b) => a + b, 0) / celsius.length);
    // Running deployments only; no TTFT or KV cache without Prometheus, each saying why.
    expect(body.deployments.map((entry) => entry.deployment)).toEqual(['sum-chat']);
    expect(body.totals.meanTtftSeconds).toEqual({ value: null, reason: expect.stringMatching(/Without Prometheus/) });
    expect(body.totals.maxKvCacheUsage).toEqual({ value: null, reason: expect.stringMatching(/Without Prometheus/) });
  });

  it("turns this instance's gateway counters into rates between two readings", async () => {
    await summaryOf(t);
    await chat(t, 'sum-chat');
    await chat(t, 'sum-chat');
    const body = await summaryOf(t);
    const entry = body.deployments.find((deployment) => deployment.deployment === 'sum-chat')!;
    expect(entry.requestsPerSecond.value).toBeGreaterThan(0);
    expect(entry.tokensPerSecond.value).toBeGreaterThan(0);
    expect(entry.errorsPerSecond).toEqual({ value: 0 });
    expect(entry.p95LatencySeconds.value).toBeGreaterThan(0);
    expect(body.totals.requestsPerSecond.value).toBe(entry.requestsPerSecond.value);
    expect(body.totals.activeRequests).toEqual({ value: 0 });
  });
});

describe('metrics summary with Prometheus down', () => {
  it('says so, marks the answer stale with the cause, and answers from the gateway', async () => {
    const t = await createTestApp('pglite', { PROMETHEUS_URL: await unusedLocalUrl(), HMAS_NVIDIA_SMI: smi });
    try {
      const body = await summaryOf(t);
      expect(body).toMatchObject({ prometheus: 'unavailable', stale: true, staleReason: expect.stringMatching(/ECONNREFUSED.*the totals are this instance's gateway's own/) });
      expect(body.totals.requestsPerSecond).toEqual({ value: null, reason: 'No deployment is running.' });
    } finally {
      await t.close();
    }
  });
});

describe('metrics summary with Prometheus hanging', () => {
  it('answers without waiting for it: the late parts null with why, stale', async () => {
    // Accepts every query and never answers.
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const t = await createTestApp('pglite', { PROMETHEUS_URL: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, HMAS_NVIDIA_SMI: smi });
    try {
      const admin = await t.admin();
      expect((await t.app.inject({ method: 'POST', url: '/api/clusters', headers: admin, payload: { name: 'gpu-east', type: 'HP', connection: { kind: 'agent' } } })).statusCode).toBe(201);
      const body = await summaryOf(t);
      expect(body).toMatchObject({ prometheus: 'unavailable', stale: true });
      expect(body.staleReason).toMatch(/^Prometheus did not answer within 1000 ms: the totals are this instance's gateway's own; .*the GPU metrics of gpu-east did not come within 1500 ms/);
      expect(body.clusters.find((cluster) => cluster.cluster === 'gpu-east')).toMatchObject({ gpuUtilization: { value: null, reason: 'The GPU metrics of gpu-east did not come within 1500 ms.' }, temperatures: [] });
    } finally {
      await t.close();
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });
});

/** A vLLM replica's exposition whose TTFT histogram grows by two requests of 0.2 s at every scrape. */
function growingReplica(): Server {
  let scrapes = 0;
  return createServer((_request, response) => {
    scrapes += 1;
    const n = scrapes * 2;
    const text = [
      '# TYPE vllm:time_to_first_token_seconds histogram',
      'vllm:time_to_first_token_seconds_bucket{le="0.1"} 0',
      `vllm:time_to_first_token_seconds_bucket{le="0.5"} ${n}`,
      `vllm:time_to_first_token_seconds_bucket{le="+Inf"} ${n}`,
      `vllm:time_to_first_token_seconds_sum ${(n * 0.2).toFixed(1)}`,
      `vllm:time_to_first_token_seconds_count ${n}`,
      '# TYPE vllm:kv_cache_usage_perc gauge',
      'vllm:kv_cache_usage_perc 0.25',
      '',
    ].join('\n');
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text);
  });
}

describe.skipIf(withoutPrometheus('metrics summary'))('metrics summary from a real Prometheus', { timeout: 120_000 }, () => {
  let t: TestApp;
  let prometheus: PrometheusHarness;
  const servers: Server[] = [];
  let remove: () => Promise<void>;
  let id: string;

  const listen = async (server: Server) => {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    const dcgm = await readFile(path.join(FIXTURES, 'metrics/dcgm.txt'), 'utf8');
    const exporter = await listen(createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(dcgm)));
    const replica = await listen(growingReplica());
    // H-MAS's own address is known only once it listens, after Prometheus is up: a file_sd file written then.
    let sdFile = '';
    prometheus = await startPrometheusWith(async (promDir) => {
      sdFile = path.join(promDir, 'hmas.json');
      await writeFile(sdFile, '[]');
      return JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [
          { job_name: 'dcgm', static_configs: [{ targets: [exporter], labels: { cluster: 'local' } }] },
          { job_name: 'replicas', static_configs: [{ targets: [replica], labels: { deployment: 'sum-prom', runtime: 'vllm' } }] },
          { job_name: 'hmas', file_sd_configs: [{ files: [sdFile], refresh_interval: '1s' }] },
        ],
      });
    });
    t = await createTestApp('pglite', { PROMETHEUS_URL: prometheus.url, HMAS_NVIDIA_SMI: smi });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    await writeFile(sdFile, JSON.stringify([{ targets: [`127.0.0.1:${(t.app.server.address() as AddressInfo).port}`] }]));
    ({ id, remove } = await insertServedDeployment(t.database.handle, 'sum-prom', [upstream.url]));
    const holds = async (promql: string) => ((await prometheus.query(promql).catch(() => [])).length > 0 ? true : undefined);
    const describeTargets = async () => prometheus.targets();
    // A series that appears has no increase yet: one request makes it, a second one is what rates see.
    await chat(t, 'sum-prom');
    await waitFor('Prometheus to have the gateway series', () => holds('hmas_inference_requests_total{deployment="sum-prom"}'), { timeoutMs: 40_000, pollMs: 250, describe: describeTargets });
    await chat(t, 'sum-prom');
    await waitFor('Prometheus to see the second request', () => holds('sum(increase(hmas_inference_requests_total{deployment="sum-prom"}[1m])) > 0'), { timeoutMs: 30_000, pollMs: 250, describe: describeTargets });
    await waitFor('Prometheus to rate the TTFT and have DCGM', () => holds('sum(rate(vllm:time_to_first_token_seconds_count[5m])) > 0 and on() count(DCGM_FI_DEV_GPU_TEMP) == 4'), { timeoutMs: 30_000, pollMs: 250, describe: describeTargets });
  }, 120_000);

  afterAll(async () => {
    await remove?.();
    await t?.close();
    await prometheus?.close();
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  it('answers per-deployment rates, latency, TTFT, KV cache and DCGM temperatures from Prometheus', async () => {
    const body = await summaryOf(t);
    expect(body).toMatchObject({ prometheus: 'configured', stale: false });
    const entry = body.deployments.find((deployment) => deployment.deployment === 'sum-prom')!;
    expect(entry).toMatchObject({ deploymentId: id, cluster: 'local', runtime: 'vllm', errorsPerSecond: { value: 0 } });
    expect(entry.requestsPerSecond.value).toBeGreaterThan(0);
    expect(entry.tokensPerSecond.value).toBeGreaterThan(0);
    // The summary's p95 against the deployment snapshot's p50 of the same gateway series.
    const snapshot = (await t.app.inject({ method: 'GET', url: `/api/deployments/${id}/metrics`, headers: await t.admin() })).json<DeploymentMetricsSnapshot>();
    expect(snapshot.gateway.latencySeconds.p50.value).toBeGreaterThan(0);
    expect(entry.p95LatencySeconds.value).toBeGreaterThanOrEqual(snapshot.gateway.latencySeconds.p50.value!);
    // Every TTFT the replica reported took 0.2 s; its KV cache is a quarter full.
    expect(body.totals.meanTtftSeconds.value).toBeCloseTo(0.2);
    expect(body.totals.maxKvCacheUsage).toEqual({ value: 0.25 });
    expect(body.totals.requestsPerSecond.value).toBeGreaterThanOrEqual(entry.requestsPerSecond.value!);
    expect(body.totals.activeRequests).toEqual({ value: 0 });
    // Cluster local's GPUs from DCGM: the same temperatures the GPU metrics endpoint answers.
    const gpus = (await t.app.inject({ method: 'GET', url: '/api/clusters/local/gpu-metrics', headers: await t.admin() })).json<ClusterGpuMetrics>();
    expect(gpus.source).toBe('dcgm');
    const local = body.clusters.find((cluster) => cluster.cluster === 'local')!;
    expect(local.temperatures).toEqual(gpus.gpus.map((gpu) => ({ node: gpu.node, index: gpu.index, celsius: gpu.temperatureCelsius.value })));
    const celsius = gpus.gpus.map((gpu) => gpu.temperatureCelsius.value!);
    expect(body.totals.meanGpuTemperatureCelsius.value).toBeCloseTo(celsius.reduce((a, b) => a + b, 0) / celsius.length);
    expect(local.gpuUtilization.value).toEqual(expect.any(Number));
  });
});
