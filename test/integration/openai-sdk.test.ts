import { rm } from 'node:fs/promises';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { modelDirForRuntimes, TINY_MODEL_ANSWER, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';

// The official OpenAI SDK against H-MAS's gateway and a real embedded-runtime deployment.
// The database backend does not matter here, so this runs on the embedded one only.
describe('OpenAI SDK compatibility', { timeout: 180_000 }, () => {
  let t: TestApp;
  let dir: string;
  let baseURL: string;
  let key: string;
  let keyId: string;

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-openai-');
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    t = await createTestApp('pglite');
    t.loops.startAll();
    const headers = await t.admin();
    const model = await t.app.inject({ method: 'POST', url: '/api/models', headers, payload: { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-chat' } });
    const deployment = await t.app.inject({
      method: 'POST',
      url: '/api/deployments',
      headers,
      payload: { name: 'tiny', modelId: model.json().id, cluster: 'local', runtime: 'embedded-llamacpp', optimization: { tier2: { threads: 1 } } },
    });
    expect(deployment.statusCode, deployment.body).toBe(201);
    const status = async () => (await t.app.inject({ method: 'GET', url: `/api/deployments/${deployment.json().id}`, headers })).json<{ status: string }>().status;
    await waitFor('the deployment to run', async () => ((await status()) === 'running' ? true : undefined), { timeoutMs: 60_000, pollMs: 250 });
    ({ key, id: keyId } = await t.apiKey({ name: 'sdk' }, headers));
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    baseURL = `${address}/v1`;
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const client = () => new OpenAI({ apiKey: key, baseURL, maxRetries: 0 });

  it('lists the deployment as a model', async () => {
    const models = await client().models.list();
    expect(models.data.map((model) => model.id)).toContain('tiny');
  });

  it('answers a chat completion with usage', async () => {
    const completion = await client().chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'Hello?' }], temperature: 0 });
    expect(completion.choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('streams a chat completion chunk by chunk, with usage when asked', async () => {
    const stream = await client().chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'Hello?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(TINY_MODEL_ANSWER);
    expect(chunks).toBeGreaterThan(2);
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it('refuses a revoked key with an OpenAI authentication error', async () => {
    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/api-keys/${keyId}`, headers: await t.admin() });
    expect(revoked.statusCode).toBe(200);
    const error = await client()
      .chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'Hello?' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('API_KEY_REVOKED');
  });
});
