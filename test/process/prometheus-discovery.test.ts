import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, withoutPrometheus, type ActiveTarget, type PrometheusHarness } from '../support/prometheus.js';
import { TINY_MODEL_ANSWER } from '../support/tiny-model.js';
import { startTinyModelServer, type TinyModelServer } from '../support/tiny-model-server.js';
import { untilRouted } from '../support/until-routed.js';
import { waitFor } from '../support/wait-for.js';

const DEPLOYMENT = 'prom-chat';
const REQUESTS = 5;

// A real Prometheus finds the replicas of a real H-MAS through its discovery route, scrapes the
// embedded runtime and the server, and reads back what traffic through the gateway did.
describe.skipIf(withoutPrometheus('Prometheus discovery against a real Prometheus'))('Prometheus discovery against a real Prometheus', { timeout: 240_000 }, () => {
  let hmas: TinyModelServer;
  let prometheus: PrometheusHarness | undefined;

  /** The total over every series of an instant query; 0 when it has none yet. */
  const total = async (promql: string) => (await prometheus!.query(promql)).reduce((sum, sample) => sum + sample.value, 0);

  beforeAll(async () => {
    hmas = await startTinyModelServer({ prefix: 'hmas-prometheus-' });
  });
  afterAll(async () => {
    await prometheus?.close();
    await hmas?.close();
  });

  it('scrapes the replica it discovered, labelled, and counts the requests sent through the gateway', async () => {
    const deploymentId = await hmas.deploy(DEPLOYMENT, 'tiny-prom');
    const { api, json, server } = hmas;
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
    const chat = () => hmas.chat(DEPLOYMENT, inference.key);
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
