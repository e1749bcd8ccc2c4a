import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/cli-process.js';
import { startPrometheus, withoutPrometheus, type ActiveTarget, type PrometheusHarness } from '../support/prometheus.js';
import { modelDirForRuntimes, TINY_MODEL_ANSWER, writeTinyModel } from '../support/tiny-model.js';
import { untilRouted } from '../support/until-routed.js';
import { waitFor } from '../support/wait-for.js';

const DEPLOYMENT = 'prom-chat';
const REQUESTS = 5;

// A real Prometheus finds the replicas of a real H-MAS through its discovery route, scrapes the
// embedded runtime and the server, and reads back what traffic through the gateway did.
describe.skipIf(withoutPrometheus('Prometheus discovery against a real Prometheus'))('Prometheus discovery against a real Prometheus', { timeout: 240_000 }, () => {
  let dir: string;
  let server: ServerProcess;
  let prometheus: PrometheusHarness | undefined;
  let token: string;
  let deploymentId: string | undefined;

  const api = async (method: string, url: string, body?: unknown, auth = token) =>
    fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const json = async <T>(response: Response, status: number): Promise<T> => {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    return JSON.parse(text) as T;
  };
  /** The total over every series of an instant query; 0 when it has none yet. */
  const total = async (promql: string) => (await prometheus!.query(promql)).reduce((sum, sample) => sum + sample.value, 0);

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-prometheus-');
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    server = await startServerProcess({ HMAS_DATA_DIR: path.join(dir, 'data'), HMAS_ADMIN_PASSWORD: 'admin-password-prometheus', HMAS_LOG_LEVEL: 'warn', HMAS_RECONCILE_INTERVAL_MS: '1000', HMAS_RATE_LIMIT_RPM: '0' });
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-password-prometheus' }) });
    token = (await json<{ accessToken: string }>(login, 200)).accessToken;
  });
  afterAll(async () => {
    await prometheus?.close();
    // Replicas outlive the server by design: remove the deployment before stopping it.
    if (deploymentId && server) await api('DELETE', `/api/deployments/${deploymentId}`).catch(() => undefined);
    server?.child.kill('SIGTERM');
    await server?.exited;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('scrapes the replica it discovered, labelled, and counts the requests sent through the gateway', async () => {
    const model = await json<{ id: string }>(await api('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-prom' }), 201);
    deploymentId = (await json<{ id: string }>(await api('POST', '/api/deployments', { name: DEPLOYMENT, modelId: model.id, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 1, optimization: { tier2: { threads: 1 } } }), 201)).id;
    await waitFor('the deployment running', async () => ((await json<{ status: string }>(await api('GET', `/api/deployments/${deploymentId}`), 200)).status === 'running' ? true : undefined), { timeoutMs: 150_000, pollMs: 500 });
    const monitoring = await json<{ key: string }>(await api('POST', '/api/api-keys', { name: 'prometheus', scopes: ['monitoring'] }), 201);
    const inference = await json<{ key: string }>(await api('POST', '/api/api-keys', { name: 'load' }), 201);

    prometheus = await startPrometheus({ hmasUrl: server.url, monitoringKey: monitoring.key });
    const up = (job: string, match: (target: ActiveTarget) => boolean) =>
      waitFor(`Prometheus scraping ${job}`, async () => (await prometheus!.targets()).find((target) => target.scrapePool === job && target.health === 'up' && match(target)), {
        timeoutMs: 60_000,
        pollMs: 250,
        describe: async () => ({ targets: await prometheus!.targets(), output: prometheus!.output() }),
      });
    const replica = await up('hmas-replicas', (target) => target.labels.deployment === DEPLOYMENT);
    expect(replica.labels).toMatchObject({ deployment: DEPLOYMENT, cluster: 'local', runtime: 'embedded-llamacpp', model: 'tiny-prom', job: 'hmas-replicas' });
    expect(replica.labels.replica).toMatch(/\S/);
    expect(replica.scrapeUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await up('hmas', () => true);

    const selector = `deployment="${DEPLOYMENT}"`;
    const before = await total(`hmas_runtime_requests_total{${selector}}`);
    const chat = () =>
      fetch(`${server.url}/api/inference/${DEPLOYMENT}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${inference.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], temperature: 0 }),
      });
    for (let sent = 0; sent < REQUESTS; sent += 1) {
      const answer = await untilRouted(DEPLOYMENT, chat, (response) => response.status);
      const body = await json<{ choices: Array<{ message: { content: string } }> }>(answer, 200);
      expect(body.choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);
    }

    // Scraped every second: wait for the counters to reach what was sent, never for a time.
    const counted = await waitFor('the runtime’s request counter to count the requests', async () => {
      const now = await total(`hmas_runtime_requests_total{${selector}}`);
      return now >= before + REQUESTS ? now : undefined;
    }, { timeoutMs: 60_000, pollMs: 250, describe: async () => prometheus!.query(`hmas_runtime_requests_total{${selector}}`) });
    expect(counted).toBeGreaterThanOrEqual(before + REQUESTS);
    await waitFor('the generated tokens counted', async () => ((await total(`llamacpp:tokens_predicted_total{${selector}}`)) > 0 ? true : undefined), { timeoutMs: 30_000, pollMs: 250 });
    const gateway = await waitFor('the gateway’s request counter in H-MAS’s own metrics', async () => {
      const now = await total(`hmas_inference_requests_total{job="hmas",deployment="${DEPLOYMENT}",status_code="200"}`);
      return now >= REQUESTS ? now : undefined;
    }, { timeoutMs: 60_000, pollMs: 250 });
    expect(gateway).toBeGreaterThanOrEqual(REQUESTS);

    // Paused: discovery drops the replica, and Prometheus its target.
    expect((await api('POST', `/api/deployments/${deploymentId}/pause`)).status).toBe(200);
    await waitFor('the paused replica dropped', async () => ((await prometheus!.targets()).some((target) => target.labels.deployment === DEPLOYMENT) ? undefined : true), { timeoutMs: 30_000, pollMs: 250 });
  });
});
