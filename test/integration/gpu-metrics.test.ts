import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusters, deployments, models } from '../../src/db/schema/index.js';
import type { Cluster } from '../../src/domain/cluster.js';
import type { ClusterGpuMetrics } from '../../src/domain/monitoring.js';
import { createPrometheusClient } from '../../src/metrics/prometheus-client.js';
import { createGpuMetricsService } from '../../src/services/gpu-metrics/gpu-metrics-service.js';
import { createHostGpuTelemetry } from '../../src/services/gpu-metrics/host-gpu-telemetry.js';
import { unusedLocalUrl } from '../fakes/fake-kube-apiserver.js';
import { writeFakeNvidiaSmi } from '../support/fake-nvidia-smi.js';
import { composeSecondInstance } from '../support/second-instance.js';
import { startPrometheusWith, withoutPrometheus, type PrometheusHarness } from '../support/prometheus.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { RECORDED_DCGM_NODE_A_GPU1, RECORDED_H100_GPU0_METRICS } from '../support/recorded-gpus.js';
import { testBackends } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';

/**
 * `GET /api/clusters/:name/gpu-metrics` against a real Prometheus (support/prometheus.ts) that scrapes the recorded dcgm-exporter text (test/fixtures/metrics/dcgm.txt) every
 * second, labelled the way docs/monitoring-gpus.md tells: `cluster="gpu-east"` for a member
 * cluster's exporters, `cluster="local"` for the H-MAS host's. nvidia-smi is a script printing
 * recorded output (test/fixtures/nvidia-smi/).
 */

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

interface Scrape {
  prometheus: PrometheusHarness;
  stop(): Promise<void>;
}

/** An HTTP server answering /metrics with the recorded DCGM text, and a Prometheus scraping it as two clusters. */
async function startScrapedDcgm(): Promise<Scrape> {
  const text = await readFile(path.join(FIXTURES, 'metrics/dcgm.txt'), 'utf8');
  const exporter: Server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text));
  await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
  const target = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
  const job = (cluster: string) => ({ job_name: `dcgm-${cluster}`, static_configs: [{ targets: [target], labels: { cluster } }] });
  // JSON is YAML.
  const prometheus = await startPrometheusWith(async () => JSON.stringify({ global: { scrape_interval: '1s', evaluation_interval: '1s' }, scrape_configs: [job('gpu-east'), job('local')] }));
  // Both clusters' series are in once a query finds every GPU of both.
  await waitFor('Prometheus to scrape the DCGM exporter', async () => ((await prometheus.query('count(DCGM_FI_DEV_GPU_UTIL)'))[0]?.value === 8 ? true : undefined), {
    timeoutMs: 30_000,
    pollMs: 200,
    describe: async () => prometheus.output(),
  });
  return {
    prometheus,
    async stop() {
      await prometheus.close();
      await new Promise((resolve) => exporter.close(resolve));
    },
  };
}

describe.skipIf(withoutPrometheus('GPU metrics')).each(testBackends())('GPU metrics (%s)', (backend) => {
  let dir: string;
  let smi: string;
  let scrape: Scrape;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-gpu-metrics-'));
    smi = await writeFakeNvidiaSmi(dir);
    scrape = await startScrapedDcgm();
  });
  afterAll(async () => {
    await scrape?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const gpuMetrics = async (t: TestApp, cluster: string) => t.app.inject({ method: 'GET', url: `/api/clusters/${cluster}/gpu-metrics`, headers: (await t.userWithRole('viewer')).headers });
  const agentCluster = async (t: TestApp, name: string) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/clusters', headers: await t.admin(), payload: { name, type: 'HP', connection: { kind: 'agent' } } });
    expect(response.statusCode).toBe(201);
  };

  describe('with Prometheus holding DCGM series', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(backend, { PROMETHEUS_URL: scrape.prometheus.url, HMAS_NVIDIA_SMI: smi });
      await agentCluster(t, 'gpu-east');
      await agentCluster(t, 'gpu-west');
      // Deployment "chat" on gpu-east: its pod chat-6b7f9c8d54-x2k4q uses gpu-node-a's GPU 1 in the recording.
      const db = t.database.handle.db;
      const [east] = await db.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, 'gpu-east'));
      const modelId = randomUUID();
      await db.insert(models).values({ id: modelId, name: 'chat-model', format: 'safetensors', source: 'local', localPath: '/models/chat', category: 'LLM' });
      await db.insert(deployments).values({ id: randomUUID(), name: 'chat', modelId, clusterId: east!.id, runtime: 'vllm', replicas: 1, status: 'running' });
    });
    afterAll(async () => {
      await t.database.handle.db.delete(deployments).where(eq(deployments.name, 'chat'));
      await t?.close();
    });

    it('answers every GPU of the cluster from DCGM, in bytes and watts, with the deployment whose pod uses it', async () => {
      const response = await gpuMetrics(t, 'gpu-east');
      expect(response.statusCode).toBe(200);
      const body = response.json<ClusterGpuMetrics>();
      expect(body).toMatchObject({ cluster: 'gpu-east', source: 'dcgm', stale: false });
      expect(body.staleReason).toBeUndefined();
      expect(body.gpus.map((gpu) => `${gpu.node}/${gpu.index}`)).toEqual(['gpu-node-a/0', 'gpu-node-a/1', 'gpu-node-b/0', 'gpu-node-b/1']);
      expect(body.gpus[1]).toEqual(RECORDED_DCGM_NODE_A_GPU1);
      expect(body.gpus[3]).toMatchObject({ xidErrors: { value: 79 }, deployments: [] });
    });

    it('marks DCGM numbers stale, naming the nodes, when their newest samples are older than 120 s', async () => {
      // The cluster as the API answers it; the service asks Prometheus 200 s after the last scrape.
      const east = (await t.app.inject({ method: 'GET', url: '/api/clusters/gpu-east', headers: await t.admin() })).json<Cluster>();
      const later = createGpuMetricsService({
        clusters: { get: async () => east },
        drivers: { actingDriver: async () => null },
        deploymentsOn: async () => [],
        prometheus: createPrometheusClient({ url: scrape.prometheus.url, timeoutMs: 5_000 }),
        hostGpus: createHostGpuTelemetry({ command: smi, now: () => new Date() }),
        now: () => new Date(Date.now() + 200_000),
      });
      const body = await later.clusterGpus('gpu-east');
      expect(body).toMatchObject({ source: 'dcgm', stale: true });
      expect(body.gpus).toHaveLength(4);
      expect(body.staleReason).toMatch(/^The newest DCGM samples of gpu-node-a \(2\d\d s\), gpu-node-b \(2\d\d s\) are older than 120 s: /);
    });

    it('prefers DCGM for cluster local when Prometheus has its series', async () => {
      const body = (await gpuMetrics(t, 'local')).json<ClusterGpuMetrics>();
      expect(body).toMatchObject({ cluster: 'local', source: 'dcgm', stale: false });
      expect(body.gpus).toHaveLength(4);
    });

    it('answers source none, saying what to set up, for a cluster Prometheus has no DCGM series of', async () => {
      const body = (await gpuMetrics(t, 'gpu-west')).json<ClusterGpuMetrics>();
      expect(body).toMatchObject({ cluster: 'gpu-west', source: 'none', stale: false, gpus: [] });
      expect(body.staleReason).toMatch(/Prometheus has no DCGM series with cluster="gpu-west": deploy NVIDIA dcgm-exporter there .*docs\/monitoring-gpus.md/);
    });

    it('answers 404 CLUSTER_NOT_FOUND for an unknown cluster, 400 for a name no cluster can have', async () => {
      const response = await gpuMetrics(t, 'no-such-cluster');
      expect(response.statusCode).toBe(404);
      expect(response.json().error).toMatchObject({ code: 'CLUSTER_NOT_FOUND', message: 'No cluster named "no-such-cluster".' });
      const badName = await gpuMetrics(t, 'Bad_Name%22%7D');
      expect(badName.statusCode).toBe(400);
      expect(badName.json().error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('with Prometheus down', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(backend, { PROMETHEUS_URL: await unusedLocalUrl(), HMAS_NVIDIA_SMI: smi });
      await agentCluster(t, 'gpu-east');
    });
    afterAll(async () => t?.close());

    it('falls back to nvidia-smi for cluster local, marked stale with the cause', async () => {
      const body = (await gpuMetrics(t, 'local')).json<ClusterGpuMetrics>();
      expect(body).toMatchObject({ cluster: 'local', source: 'nvidia-smi', stale: true });
      expect(body.staleReason).toMatch(/^Prometheus did not answer the query: .*ECONNREFUSED.* These numbers come from nvidia-smi on this host instead \(no XID errors\)\.$/);
      expect(body.gpus).toHaveLength(4);
    });

    it('answers 503 PROMETHEUS_UNAVAILABLE with the cause for other clusters', async () => {
      const response = await gpuMetrics(t, 'gpu-east');
      expect(response.statusCode).toBe(503);
      expect(response.json().error).toMatchObject({ code: 'PROMETHEUS_UNAVAILABLE', message: expect.stringMatching(/ECONNREFUSED/) });
    });
  });

  describe('without Prometheus', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(backend, { HMAS_NVIDIA_SMI: smi });
      await agentCluster(t, 'gpu-east');
    });
    afterAll(async () => t?.close());

    it("reads cluster local's GPUs with nvidia-smi: every field, XID null with the reason", async () => {
      const body = (await gpuMetrics(t, 'local')).json<ClusterGpuMetrics>();
      expect(body).toMatchObject({ cluster: 'local', source: 'nvidia-smi', stale: false });
      expect(body.gpus.map((gpu) => gpu.uuid)).toEqual([
        'GPU-5c1d7a2e-93b4-4f1e-8d2a-6e0b9f3c1a47',
        'GPU-a83f2c19-0d6e-4b57-9e21-3f8c7d4b2e90',
        'GPU-e1b2c3d4-5f60-4a71-8b92-c3d4e5f60718',
        'GPU-0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f',
      ]);
      expect(body.gpus[0]).toMatchObject({
        ...RECORDED_H100_GPU0_METRICS,
        xidErrors: { value: null, reason: expect.stringMatching(/nvidia-smi does not report XID errors/) },
        deployments: [],
      });
    });

    it('answers source none on an instance that does not own cluster local, naming the owner', async () => {
      const second = await composeSecondInstance(t, { HMAS_NVIDIA_SMI: smi });
      try {
        const response = await second.app.inject({ method: 'GET', url: '/api/clusters/local/gpu-metrics', headers: (await t.userWithRole('viewer')).headers });
        const body = response.json<ClusterGpuMetrics>();
        expect(body).toMatchObject({ cluster: 'local', source: 'none', stale: false, gpus: [] });
        expect(body.staleReason).toMatch(/This H-MAS instance does not run cluster local \(it runs on host .* \(H-MAS instance .*\)\): ask that instance/);
      } finally {
        await second.close();
      }
    });

    it('answers source none for a member cluster, naming PROMETHEUS_URL and the exporter', async () => {
      const body = (await gpuMetrics(t, 'gpu-east')).json<ClusterGpuMetrics>();
      expect(body).toMatchObject({ source: 'none', stale: false, gpus: [] });
      expect(body.staleReason).toMatch(/set PROMETHEUS_URL .* cluster="gpu-east"/);
    });
  });

  it('says nvidia-smi is missing on a host without it', async () => {
    const t = await createTestApp(backend, { HMAS_NVIDIA_SMI: path.join(dir, 'no-such-nvidia-smi') });
    try {
      const body = (await gpuMetrics(t, 'local')).json<ClusterGpuMetrics>();
      expect(body).toMatchObject({ source: 'none', stale: false, gpus: [], staleReason: expect.stringMatching(/nvidia-smi is not installed on this host/) });
    } finally {
      await t.close();
    }
  });
});
