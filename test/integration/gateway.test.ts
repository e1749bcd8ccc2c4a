import http from 'node:http';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceLogEntryView } from '../../src/domain/inference-log.js';
import { insertServedDeployment, type ServedDeploymentOptions } from '../support/fake-deployment.js';
import { FAKE_USAGE, refusingUrl, startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { modelDirForRuntimes, TINY_MODEL_ANSWER, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';

type LogEntry = InferenceLogEntryView;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** SSE `data:` payloads of a stream body. */
const events = (text: string) =>
  text
    .split('\n\n')
    .map((event) => event.trim())
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));

/** The app listening on a port, so streams and disconnects are real HTTP. */
async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

function gatewayClient(base: string) {
  return async (method: 'GET' | 'POST', url: string, options: { headers?: Record<string, string>; body?: unknown; raw?: string } = {}): Promise<Answer> => {
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await request(`${base}${url}`, {
      method,
      headers: { ...(body !== undefined && options.raw === undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
  };
}

describe.each(testBackends())('inference gateway with fake upstreams (%s)', { timeout: 60_000 }, (backend) => {
  let t: TestApp;
  let dir: string;
  let base: string;
  let admin: { authorization: string };
  let upstream: FakeUpstream;
  let call: ReturnType<typeof gatewayClient>;
  let modelId: string;

  const served: Array<{ remove(): Promise<void> }> = [];
  const addDeployment = async (name: string, options: { endpoints: string[] } & Omit<ServedDeploymentOptions, 'modelId'>) => {
    served.push(await insertServedDeployment(t.database.handle, name, options.endpoints, { ...options, modelId }));
  };
  const logs = async (query: string, headers = admin) => {
    const response = await t.app.inject({ method: 'GET', url: `/api/inference-logs?${query}`, headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ items: LogEntry[]; total: number }>();
  };
  const logOf = (requestId: string) =>
    waitFor(`log entry ${requestId}`, async () => (await logs('limit=500')).items.find((entry) => entry.requestId === requestId));
  const createKey = (payload: Record<string, unknown>, headers = admin) => t.apiKey(payload, headers);

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-gateway-');
    t = await createTestApp(backend, { HMAS_INFERENCE_LOG_FLUSH_MS: '50', HMAS_GATEWAY_TIMEOUT_MS: '1000', HMAS_RATE_LIMIT_RPM: '0' });
    base = await listen(t);
    call = gatewayClient(base);
    admin = await t.admin();
    upstream = await startFakeUpstream();
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    const model = await t.app.inject({ method: 'POST', url: '/api/models', headers: admin, payload: { localPath: path.join(dir, 'tiny.gguf'), name: 'fake-model' } });
    expect(model.statusCode, model.body).toBe(201);
    modelId = model.json<{ id: string }>().id;

    await addDeployment('fake', { endpoints: [upstream.url] });
    await addDeployment('fake-tei', { endpoints: [upstream.url], runtime: 'tei' });
    await addDeployment('paused', { endpoints: [], status: 'paused', paused: true });
    await addDeployment('starting', { endpoints: [], status: 'deploying' });
    await addDeployment('no-endpoint', { endpoints: [], status: 'running' });
    await addDeployment('refused', { endpoints: [await refusingUrl()] });
    await addDeployment('half-refused', { endpoints: [await refusingUrl(), upstream.url] });
  });
  afterAll(async () => {
    // These rows have no workloads: remove them before the test app deletes deployments through the driver.
    for (const deployment of served) await deployment.remove();
    await t?.close();
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('proxies /api/inference/:name/* to the runtime with the rest of the path and the query, without hop-by-hop headers or credentials', async () => {
    // node:http, because undici refuses to send a Connection header that lists others.
    const answer = await new Promise<Answer>((resolve, reject) => {
      const sent = http.request(`${base}/api/inference/fake/v1/models?x=1`, {
        headers: { ...admin, connection: 'keep-alive, x-hop', 'x-hop': 'secret', 'proxy-authorization': 'Basic abc', 'x-custom': 'kept' },
        agent: false,
      });
      sent.on('response', (response) => {
        let text = '';
        response.on('data', (part: Buffer) => (text += part.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json: <T>() => JSON.parse(text) as T }));
      });
      sent.on('error', reject);
      sent.end();
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json()).toMatchObject({ object: 'list', data: [{ id: 'fake' }] });
    const received = upstream.received.at(-1)!;
    expect(received.url).toBe('/v1/models?x=1');
    expect(received.headers['x-custom']).toBe('kept');
    for (const name of ['x-hop', 'proxy-authorization', 'authorization', 'cookie']) expect(received.headers[name]).toBeUndefined();
    expect(received.headers['x-request-id']).toBe(answer.headers['x-request-id']);
    expect(answer.headers['x-upstream']).toBe('fake');
    expect(answer.headers['proxy-authenticate']).toBeUndefined();
    expect(Number(answer.headers['x-hmas-overhead-ms'])).toBeGreaterThanOrEqual(0);
  });

  it('answers a non-streaming chat routed by model and records its usage in the request log', async () => {
    const answer = await call('POST', '/v1/chat/completions', { headers: admin, body: { model: 'fake', messages: [{ role: 'user', content: 'Hi' }] } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json()).toMatchObject({ choices: [{ message: { content: 'Hello world' } }], usage: FAKE_USAGE });
    expect(upstream.received.at(-1)!.url).toBe('/v1/chat/completions');
    const entry = await logOf(String(answer.headers['x-request-id']));
    expect(entry).toMatchObject({
      deploymentName: 'fake',
      modelName: 'fake-model',
      clusterName: 'local',
      username: 'admin',
      authMethod: 'jwt',
      path: '/v1/chat/completions',
      statusCode: 200,
      streaming: false,
      promptTokens: FAKE_USAGE.prompt_tokens,
      completionTokens: FAKE_USAGE.completion_tokens,
      errorMessage: null,
    });
    expect(entry.ttfbMs).not.toBeNull();
  });

  it('routes a model name to a running deployment of it and tells the runtime the deployment name', async () => {
    const answer = await call('POST', '/v1/chat/completions', { headers: admin, body: { model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }] } });
    expect(answer.status, answer.text).toBe(200);
    const sent = JSON.parse(upstream.received.at(-1)!.body) as { model: string };
    expect(['fake', 'fake-tei', 'half-refused']).toContain(sent.model);
  });

  it('adds include_usage to a stream for runtimes that honour it, and removes the usage chunk the client did not ask for', async () => {
    const answer = await call('POST', '/api/inference/fake/v1/chat/completions', { headers: admin, body: { model: 'fake', stream: true, messages: [{ role: 'user', content: 'Hi' }] } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers['content-type']).toContain('text/event-stream');
    const sent = JSON.parse(upstream.received.at(-1)!.body) as { stream_options?: { include_usage?: boolean } };
    expect(sent.stream_options?.include_usage).toBe(true);
    const data = events(answer.text);
    expect(data.at(-1)).toBe('[DONE]');
    expect(data.some((payload) => payload.includes('"choices":[]'))).toBe(false);
    expect(data).toHaveLength(3);
    const entry = await logOf(String(answer.headers['x-request-id']));
    expect(entry).toMatchObject({ streaming: true, promptTokens: FAKE_USAGE.prompt_tokens, completionTokens: FAKE_USAGE.completion_tokens });
  });

  it('passes the usage chunk through when the client asked for it', async () => {
    const answer = await call('POST', '/v1/chat/completions', {
      headers: admin,
      body: { model: 'fake', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hi' }] },
    });
    expect(answer.status).toBe(200);
    expect(upstream.received.at(-1)!.body).toContain('"include_usage":true');
    const usageChunk = events(answer.text).find((payload) => payload.includes('"choices":[]'));
    expect(JSON.parse(usageChunk!)).toMatchObject({ usage: FAKE_USAGE });
  });

  it('leaves the request alone for runtimes without include_usage', async () => {
    const body = JSON.stringify({ model: 'fake-tei', stream: true, input: 'Hi' });
    const answer = await call('POST', '/api/inference/fake-tei/v1/embeddings', { headers: { ...admin, 'content-type': 'application/json' }, raw: body });
    expect(answer.status).toBe(200);
    expect(upstream.received.at(-1)!.body).toBe(body);
    expect(events(answer.text)).toHaveLength(3);
  });

  it('streams chunk by chunk: the first chunk reaches the client while the upstream still waits', async () => {
    const stream = upstream.slowStream('flow');
    const response = await request(`${base}/api/inference/fake/v1/chat/completions?fake=slow-stream&id=flow`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{}' });
    expect(response.statusCode).toBe(200);
    const iterator = response.body[Symbol.asyncIterator]();
    let text = '';
    while (!text.includes('first')) text += String((await iterator.next()).value);
    // Only now may the upstream go on; a gateway that buffered would never have shown "first".
    stream.release();
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) text += String(next.value);
    expect(events(text)).toEqual([expect.stringContaining('first'), expect.stringContaining('second'), '[DONE]']);
  });

  it('aborts the upstream request when the client disconnects, and logs the cut-off request', async () => {
    const stream = upstream.slowStream('gone');
    const controller = new AbortController();
    const response = await request(`${base}/api/inference/fake/v1/chat/completions?fake=slow-stream&id=gone`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{}', signal: controller.signal });
    const requestId = String(response.headers['x-request-id']);
    const iterator = response.body[Symbol.asyncIterator]();
    let text = '';
    while (!text.includes('first')) text += String((await iterator.next()).value);
    controller.abort();
    // The upstream streams until its client goes away: this resolves only if the gateway hung up.
    await stream.aborted;
    const entry = await logOf(requestId);
    expect(entry).toMatchObject({ statusCode: 200, streaming: true, errorMessage: expect.stringContaining('client closed') });
  });

  it('answers 401 without credentials and with a bad key, in OpenAI error shape', async () => {
    const none = await call('POST', '/v1/chat/completions', { body: { model: 'fake' } });
    expect(none.status).toBe(401);
    expect(none.json()).toEqual({ error: { message: expect.any(String), type: 'authentication_error', code: 'UNAUTHENTICATED', param: null } });
    const bad = await call('GET', '/v1/models', { headers: { authorization: 'Bearer sk-hmas-not-a-real-key-000000000000000000' } });
    expect(bad.status).toBe(401);
    expect(bad.json<{ error: { type: string } }>().error.type).toBe('authentication_error');
  });

  it('answers the distinct error codes: not found, not running, no endpoint, connection refused, timeout', async () => {
    const cases: Array<[string, number, string]> = [
      ['/api/inference/nope/v1/models', 404, 'DEPLOYMENT_NOT_FOUND'],
      ['/api/inference/paused/v1/models', 503, 'DEPLOYMENT_NOT_RUNNING'],
      ['/api/inference/starting/v1/models', 503, 'DEPLOYMENT_NOT_RUNNING'],
      ['/api/inference/no-endpoint/v1/models', 502, 'NO_ENDPOINT'],
      ['/api/inference/refused/v1/models', 502, 'UPSTREAM_CONNECT_FAILED'],
      ['/api/inference/fake/v1/models?fake=hang', 504, 'UPSTREAM_TIMEOUT'],
    ];
    for (const [url, status, code] of cases) {
      const answer = await call('GET', url, { headers: admin });
      expect(answer.status, `${url}: ${answer.text}`).toBe(status);
      expect(answer.json<{ error: { code: string } }>().error.code).toBe(code);
      expect(answer.headers['x-hmas-overhead-ms']).toBeDefined();
    }
    const byModel = await call('POST', '/v1/chat/completions', { headers: admin, body: { model: 'nothing-like-it', messages: [] } });
    expect(byModel.status).toBe(404);
    const invalid = await call('POST', '/v1/chat/completions', { headers: admin, raw: '{"model":', });
    expect(invalid.status).toBe(400);
    expect(invalid.json<{ error: { code: string; type: string } }>().error).toMatchObject({ code: 'INVALID_JSON', type: 'invalid_request_error' });
    const noModel = await call('POST', '/v1/embeddings', { headers: admin, body: { input: 'x' } });
    expect(noModel.json<{ error: { code: string } }>().error.code).toBe('MODEL_REQUIRED');
    const array = await call('POST', '/v1/completions', { headers: admin, raw: '[{"model":"fake"}]' });
    expect(array.json<{ error: { code: string } }>().error.code).toBe('INVALID_JSON');
    const tooLarge = await t.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { ...admin, 'content-type': 'application/json' }, payload: `{"model":"fake","prompt":"${'x'.repeat(17 * 1024 * 1024)}"}` });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', code: 'PAYLOAD_TOO_LARGE', param: null } });
  });

  it('retries once on another replica when connecting fails', async () => {
    const before = upstream.received.length;
    for (let i = 0; i < 4; i += 1) {
      const answer = await call('GET', '/api/inference/half-refused/v1/models', { headers: admin });
      expect(answer.status, answer.text).toBe(200);
    }
    expect(upstream.received.length - before).toBe(4);
  });

  it('refuses with 403 a key that may not use the deployment, and lists only what a key may use', async () => {
    const { key } = await createKey({ name: 'only-tei', allowedDeployments: ['fake-tei'] });
    const headers = { authorization: `Bearer ${key}` };
    const refused = await call('POST', '/v1/chat/completions', { headers, body: { model: 'fake', messages: [] } });
    expect(refused.status).toBe(403);
    expect(refused.json<{ error: { code: string; type: string } }>().error).toMatchObject({ code: 'DEPLOYMENT_NOT_ALLOWED', type: 'permission_error' });
    expect((await call('GET', '/api/inference/fake/v1/models', { headers })).status).toBe(403);
    expect((await call('POST', '/api/inference/fake-tei/v1/embeddings', { headers, body: { model: 'fake-tei', input: 'x' } })).status).toBe(200);
    const models = await call('GET', '/v1/models', { headers });
    expect(models.json()).toEqual({ object: 'list', data: [expect.objectContaining({ id: 'fake-tei', object: 'model', owned_by: 'hmas' })] });
    const all = (await call('GET', '/v1/models', { headers: admin })).json<{ data: Array<{ id: string }> }>().data.map((model) => model.id);
    expect(all).toEqual(['fake', 'fake-tei', 'half-refused', 'refused']);
    expect((await call('GET', '/v1/models/fake-tei', { headers })).json()).toMatchObject({ id: 'fake-tei', root: 'fake-model' });
    expect((await call('GET', '/v1/models/fake', { headers })).status).toBe(404);
  });

  it('limits a key to its RPM with 429, Retry-After and X-RateLimit headers', async () => {
    const { key, id } = await createKey({ name: 'two-per-minute', rpm: 2 });
    const headers = { authorization: `Bearer ${key}` };
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await call('GET', '/api/inference/fake/v1/models', { headers }));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
    expect(answers[0]!.headers['x-ratelimit-limit']).toBe('2');
    expect(answers[0]!.headers['x-ratelimit-remaining']).toBe('1');
    const limited = answers[2]!;
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(limited.json<{ error: { type: string } }>().error.type).toBe('rate_limit_error');
    const entry = await logOf(String(limited.headers['x-request-id']));
    expect(entry).toMatchObject({ statusCode: 429, authMethod: 'api_key', apiKeyId: id });
  });

  it('lists the request log with filters; viewers see only their own requests', async () => {
    const viewer = await t.userWithRole('viewer');
    const own = await call('GET', '/api/inference/fake/v1/models', { headers: viewer.headers });
    expect(own.status).toBe(200);
    await logOf(String(own.headers['x-request-id']));
    const seen = await logs('limit=500', viewer.headers);
    expect(seen.items.length).toBeGreaterThan(0);
    expect(seen.items.map((entry) => entry.requestId)).toEqual([own.headers['x-request-id']]);
    expect(seen.items[0]!.userId).toBe(viewer.id);

    const tei = await call('POST', '/api/inference/fake-tei/v1/embeddings', { headers: admin, body: { model: 'fake-tei', input: 'x' } });
    const missing = await call('GET', '/api/inference/missing/v1/models', { headers: admin });
    await logOf(String(tei.headers['x-request-id']));
    await logOf(String(missing.headers['x-request-id']));
    const byDeployment = await logs('deployment=fake-tei&limit=500');
    expect(byDeployment.items.length).toBeGreaterThan(0);
    expect(byDeployment.items.every((entry) => entry.deploymentName === 'fake-tei')).toBe(true);
    const notFound = await logs('statusCode=404');
    expect(notFound.items.every((entry) => entry.statusCode === 404)).toBe(true);
    expect(notFound.total).toBeGreaterThan(0);
    const byUser = await logs('user=admin&limit=1');
    expect(byUser.items).toHaveLength(1);
    expect(byUser.total).toBeGreaterThan(1);
    const future = await logs(`from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
    expect(future.total).toBe(0);
  });

  it('counts gateway requests in the metrics', async () => {
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/hmas_inference_requests_total\{deployment="fake",status_code="200"\} \d+/);
    expect(metrics.body).toMatch(/hmas_inference_tokens_total\{deployment="fake",direction="completion"\} \d+/);
    expect(metrics.body).toContain('hmas_inference_rate_limited_total{reason="rpm",subject="key"} 1');
    // A refusal after routing counts against its deployment.
    expect(metrics.body).toMatch(/hmas_inference_requests_total\{deployment="fake",status_code="429"\} 1/);
    expect(metrics.body).toContain('hmas_inference_ttfb_seconds_bucket');
    expect(metrics.body).toContain('hmas_inference_active_requests');
    // The control API's HTTP metrics leave gateway requests to the hmas_inference_* family.
    expect(metrics.body).not.toMatch(/hmas_http_requests_total\{[^}]*route="\/(v1|api\/inference)\//);
  });
});

// A real runtime behind the gateway: H-MAS's embedded llama.cpp runtime with the generated model.
describe.each(testBackends())('inference gateway with the embedded runtime (%s)', { timeout: 180_000 }, (backend) => {
  let t: TestApp;
  let dir: string;
  let call: ReturnType<typeof gatewayClient>;
  let admin: { authorization: string };
  let id: string;

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-gateway-llama-');
    t = await createTestApp(backend, { HMAS_INFERENCE_LOG_FLUSH_MS: '50', HMAS_RATE_LIMIT_RPM: '0' });
    call = gatewayClient(await listen(t));
    admin = await t.admin();
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    const model = await t.app.inject({ method: 'POST', url: '/api/models', headers: admin, payload: { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-chat' } });
    expect(model.statusCode, model.body).toBe(201);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/deployments',
      headers: admin,
      payload: { name: 'tiny', modelId: model.json<{ id: string }>().id, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 1, optimization: { tier2: { threads: 1 } } },
    });
    expect(created.statusCode, created.body).toBe(201);
    id = created.json<{ id: string }>().id;
    await waitFor(
      'deployment running',
      async () => {
        const deployment = (await t.app.inject({ method: 'GET', url: `/api/deployments/${id}`, headers: admin })).json<{ status: string }>();
        return deployment.status === 'running' ? deployment : undefined;
      },
      { timeoutMs: 120_000 },
    );
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a chat through /v1/chat/completions and logs its usage', async () => {
    const answer = await call('POST', '/v1/chat/completions', { headers: admin, body: { model: 'tiny', messages: [{ role: 'user', content: 'Say hello' }], temperature: 0 } });
    expect(answer.status, answer.text).toBe(200);
    const body = answer.json<{ choices: Array<{ message: { content: string } }>; usage: { prompt_tokens: number; completion_tokens: number } }>();
    expect(body.choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);
    const entry = await logOf(t, admin, String(answer.headers['x-request-id']));
    expect(entry).toMatchObject({ deploymentName: 'tiny', modelName: 'tiny-chat', statusCode: 200, streaming: false, promptTokens: body.usage.prompt_tokens, completionTokens: body.usage.completion_tokens });
  });

  it('streams a chat through /api/inference/:name, without the usage chunk it did not ask for, and logs the usage', async () => {
    const answer = await call('POST', '/api/inference/tiny/v1/chat/completions', { headers: admin, body: { model: 'tiny', stream: true, messages: [{ role: 'user', content: 'Say hello' }] } });
    expect(answer.status, answer.text).toBe(200);
    const data = events(answer.text);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((payload) => JSON.parse(payload) as { choices: Array<{ delta: { content?: string } }> });
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(TINY_MODEL_ANSWER);
    const entry = await logOf(t, admin, String(answer.headers['x-request-id']));
    expect(entry.streaming).toBe(true);
    expect(entry.completionTokens).toBeGreaterThan(0);
    expect(entry.promptTokens).toBeGreaterThan(0);
  });

  it('keeps the usage chunk when the client asked for it', async () => {
    const answer = await call('POST', '/v1/chat/completions', {
      headers: admin,
      body: { model: 'tiny', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Say hello' }] },
    });
    const usage = events(answer.text)
      .filter((payload) => payload !== '[DONE]')
      .map((payload) => JSON.parse(payload) as { choices: unknown[]; usage?: { completion_tokens: number } | null })
      .find((chunk) => chunk.choices.length === 0);
    expect(usage?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('lists the running deployment in /v1/models', async () => {
    const models = await call('GET', '/v1/models', { headers: admin });
    expect(models.json()).toMatchObject({ object: 'list', data: [{ id: 'tiny', object: 'model', root: 'tiny-chat' }] });
  });

  // Last: it pauses the deployment. The gateway learns of the pause before the replicas stop, so
  // no request goes to a replica on its way out (502) — the answer is 503 from the first moment.
  it('answers 503 DEPLOYMENT_NOT_RUNNING as soon as a pause is answered, then 404 once deleted', async () => {
    const paused = await t.app.inject({ method: 'POST', url: `/api/deployments/${id}/pause`, headers: admin });
    expect(paused.statusCode, paused.body).toBe(200);
    const answer = await call('POST', '/v1/chat/completions', { headers: admin, body: { model: 'tiny', messages: [{ role: 'user', content: 'Hi' }] } });
    expect(answer.status, answer.text).toBe(503);
    expect(answer.json()).toMatchObject({ error: { code: 'DEPLOYMENT_NOT_RUNNING' } });
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/deployments/${id}`, headers: admin });
    expect(removed.statusCode, removed.body).toBe(204);
    const gone = await call('POST', '/v1/chat/completions', { headers: admin, body: { model: 'tiny', messages: [{ role: 'user', content: 'Hi' }] } });
    expect(gone.status, gone.text).toBe(404);
  });
});

async function logOf(t: TestApp, headers: { authorization: string }, requestId: string): Promise<LogEntry> {
  return waitFor(`log entry ${requestId}`, async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/inference-logs?limit=500', headers });
    return response.json<{ items: LogEntry[] }>().items.find((entry) => entry.requestId === requestId);
  });
}
