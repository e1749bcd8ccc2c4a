import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyMetrics } from '../../src/domain/monitoring.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { FAKE_USAGE, startFakeUpstream } from '../support/fake-upstream.js';
import { startPrometheusWith, withoutPrometheus, type PrometheusHarness } from '../support/prometheus.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

// Per-key gateway series (hmas_inference_key_*) and GET /api/api-keys/:id/metrics: requests with
// two keys through the real gateway to a real HTTP upstream; the exposition, removal on revoke,
// who may read a key's numbers, and — with a real Prometheus scraping the app — the numbers.

const DEPLOYMENT = 'key-metrics';
type Headers = { authorization: string };

async function setUp(env: Record<string, string> = {}) {
  const t = await createTestApp('pglite', env);
  const upstream = await startFakeUpstream();
  const deployment = await insertServedDeployment(t.database.handle, DEPLOYMENT, [upstream.url]);
  const owner = await t.userWithRole('viewer');
  const other = await t.userWithRole('viewer');
  const keyA = await t.apiKey({ name: 'key-a' }, owner.headers);
  const keyB = await t.apiKey({ name: 'key-b' }, owner.headers);
  return { t, upstream, deployment, owner, other, keyA, keyB };
}

async function chat(t: TestApp, key: string): Promise<void> {
  const answer = await waitFor(`${DEPLOYMENT} to answer through the gateway`, async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/inference/${DEPLOYMENT}/v1/chat/completions`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ model: DEPLOYMENT, messages: [{ role: 'user', content: 'hi' }] }),
    });
    return response.statusCode === 503 ? undefined : response;
  });
  expect(answer.statusCode, answer.body).toBe(200);
}

const exposition = async (t: TestApp) => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
const metricsOf = (t: TestApp, id: string, headers: Headers, query = '') => t.app.inject({ method: 'GET', url: `/api/api-keys/${id}/metrics${query}`, headers });

describe('per-key gateway series and access without Prometheus', { timeout: 60_000 }, () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    env = await setUp();
  });
  afterAll(async () => {
    await env.deployment.remove();
    await env.upstream.close();
    await env.t.close();
  });

  it('labels requests, tokens and duration by the key id (never the secret); session callers are ""', async () => {
    const { t, keyA, keyB } = env;
    await chat(t, keyA.key);
    await chat(t, keyA.key);
    await chat(t, keyB.key);
    const text = await exposition(t);
    expect(text).toContain(`hmas_inference_key_requests_total{api_key="${keyA.id}",status_class="2xx"} 2`);
    expect(text).toContain(`hmas_inference_key_requests_total{api_key="${keyB.id}",status_class="2xx"} 1`);
    expect(text).not.toContain(`api_key="${keyA.id}",status_class="5xx"`);
    expect(text).toContain(`hmas_inference_key_tokens_total{api_key="${keyA.id}",direction="prompt"} ${2 * FAKE_USAGE.prompt_tokens}`);
    expect(text).toContain(`hmas_inference_key_tokens_total{api_key="${keyA.id}",direction="completion"} ${2 * FAKE_USAGE.completion_tokens}`);
    expect(text).toContain(`hmas_inference_key_duration_seconds_count{api_key="${keyA.id}"} 2`);
    // No part of a secret is a label value.
    for (const key of [keyA.key, keyB.key]) expect(text).not.toContain(key.slice('sk-hmas-'.length, 'sk-hmas-'.length + 8));

    const admin = await t.admin();
    const session = await t.app.inject({
      method: 'POST',
      url: `/api/inference/${DEPLOYMENT}/v1/chat/completions`,
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ model: DEPLOYMENT, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(session.statusCode).toBe(200);
    expect(await exposition(t)).toMatch(/hmas_inference_key_requests_total\{api_key="",status_class="2xx"\} [1-9]/);
  });

  it("removes a revoked key's series from /metrics; the other key keeps its own", async () => {
    const { t, owner, keyA, keyB } = env;
    await chat(t, keyB.key);
    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/api-keys/${keyB.id}`, headers: owner.headers });
    expect(revoked.statusCode, revoked.body).toBe(200);
    const text = await exposition(t);
    expect(text).not.toContain(`api_key="${keyB.id}"`);
    expect(text).toContain(`api_key="${keyA.id}"`);
    // The revoked key is refused (401) and its refusals do not bring its series back.
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/inference/${DEPLOYMENT}/v1/chat/completions`,
      headers: { authorization: `Bearer ${keyB.key}`, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(refused.statusCode).toBe(401);
    expect(await exposition(t)).not.toContain(`api_key="${keyB.id}"`);
  });

  it("removes the series of a deleted user's keys (deleted with them)", async () => {
    const { t } = env;
    const leaving = await t.userWithRole('viewer');
    const key = await t.apiKey({ name: 'leaving' }, leaving.headers);
    await chat(t, key.key);
    expect(await exposition(t)).toContain(`api_key="${key.id}"`);
    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/users/${leaving.id}`, headers: await t.admin() });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect(await exposition(t)).not.toContain(`api_key="${key.id}"`);
    expect(await exposition(t)).toContain(`api_key="${env.keyA.id}"`);
  });

  it('answers 503 PROMETHEUS_NOT_CONFIGURED to the owner and an admin, 404 to another viewer, 400 for a range past 30 days', async () => {
    const { t, owner, other, keyA } = env;
    const own = await metricsOf(t, keyA.id, owner.headers, '?range=1h');
    expect(own.statusCode).toBe(503);
    expect(own.json()).toMatchObject({ error: { code: 'PROMETHEUS_NOT_CONFIGURED', message: expect.stringContaining('PROMETHEUS_URL') } });
    expect((await metricsOf(t, keyA.id, await t.admin())).statusCode).toBe(503);
    const foreign = await metricsOf(t, keyA.id, other.headers);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ error: { code: 'API_KEY_NOT_FOUND' } });
    const long = await metricsOf(t, keyA.id, owner.headers, '?range=31d');
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({ error: { code: 'METRICS_RANGE_TOO_LONG' } });
  });
});

describe.skipIf(withoutPrometheus('per-key metrics from a real Prometheus'))('per-key metrics from a real Prometheus', { timeout: 120_000 }, () => {
  let env: Awaited<ReturnType<typeof setUp>>;
  let prometheus: PrometheusHarness;
  let at: (id: string) => string;

  beforeAll(async () => {
    // The Prometheus port is needed before the app starts (PROMETHEUS_URL); the app's port after:
    // Prometheus reads its target from a file_sd file written once the app listens.
    let targetsFile = '';
    prometheus = await startPrometheusWith(async (dir) => {
      targetsFile = `${dir}/targets.json`;
      await writeFile(targetsFile, '[]');
      return JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [{ job_name: 'hmas', file_sd_configs: [{ files: [targetsFile], refresh_interval: '1s' }] }],
      });
    });
    env = await setUp({ PROMETHEUS_URL: prometheus.url });
    await env.t.app.listen({ host: '127.0.0.1', port: 0 });
    await writeFile(targetsFile, JSON.stringify([{ targets: [`127.0.0.1:${(env.t.app.server.address() as AddressInfo).port}`] }]));
    at = (id) => `api_key="${id}"`;
    const holds = async (query: string) => ((await prometheus.query(query).catch(() => [])).length > 0 ? true : undefined);
    const { t, keyA, keyB } = env;
    // A series that appears has no increase yet: one request each makes the series, and what
    // follows once Prometheus has them is what rates and percentiles over the range see.
    await chat(t, keyA.key);
    await chat(t, keyB.key);
    await waitFor('Prometheus to have both keys', async () => (await holds(`hmas_inference_key_requests_total{${at(keyA.id)}}`)) && holds(`hmas_inference_key_requests_total{${at(keyB.id)}}`), {
      timeoutMs: 40_000,
      pollMs: 250,
      describe: () => prometheus.targets(),
    });
    for (let i = 0; i < 4; i += 1) await chat(t, keyA.key);
    await chat(t, keyB.key);
    await waitFor(
      'Prometheus to see every request',
      async () =>
        (await holds(`sum(hmas_inference_key_requests_total{${at(keyA.id)}}) == 5`)) && holds(`sum(hmas_inference_key_requests_total{${at(keyB.id)}}) == 2`),
      { timeoutMs: 30_000, pollMs: 250, describe: () => prometheus.targets() },
    );
  }, 120_000);

  afterAll(async () => {
    await env?.deployment.remove();
    await env?.upstream.close();
    await env?.t.close();
    await prometheus?.close();
  });

  it("answers each key's numbers: the busier key has more requests, p99 ≥ p95 ≥ p50 > 0, tokens, no errors", async () => {
    const { t, owner, keyA, keyB } = env;
    const read = async (id: string) => {
      const response = await metricsOf(t, id, owner.headers, '?range=5m');
      expect(response.statusCode, response.body).toBe(200);
      return response.json<ApiKeyMetrics>();
    };
    const [a, b] = [await read(keyA.id), await read(keyB.id)];
    expect(a).toMatchObject({ apiKeyId: keyA.id, rangeSeconds: 300 });
    expect(a.requests.value).toBeGreaterThan(b.requests.value!);
    expect(b.requests.value).toBeGreaterThan(0);
    expect(a.requestsPerSecond.value).toBeGreaterThan(b.requestsPerSecond.value!);
    expect(a.errorsPerSecond).toEqual({ value: 0 });
    const { p50, p95, p99 } = a.latencySeconds;
    expect(p50.value).toBeGreaterThan(0);
    expect(p95.value).toBeGreaterThanOrEqual(p50.value!);
    expect(p99.value).toBeGreaterThanOrEqual(p95.value!);
    expect(a.promptTokensPerSecond.value).toBeGreaterThan(0);
    expect(a.completionTokensPerSecond.value).toBeGreaterThan(0);
    // Prompt and completion tokens keep the upstream's ratio (9:3 per request).
    expect(a.promptTokensPerSecond.value! / a.completionTokensPerSecond.value!).toBeCloseTo(FAKE_USAGE.prompt_tokens / FAKE_USAGE.completion_tokens, 5);
  });

  it('answers a key without traffic with nulls and why, and another viewer 404', async () => {
    const { t, owner, other, keyA } = env;
    const idle = await t.apiKey({ name: 'idle' }, owner.headers);
    const response = await metricsOf(t, idle.id, owner.headers);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<ApiKeyMetrics>().requestsPerSecond).toEqual({ value: null, reason: expect.stringContaining('no hmas_inference_key_* series') });
    expect((await metricsOf(t, keyA.id, other.headers)).statusCode).toBe(404);
  });
});
