import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelDownload } from '../../src/domain/model-download.js';
import { startFakeHfHub, type FakeHfHub } from '../fakes/fake-hf-hub.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { buildTinyModel, TINY_MODEL_ANSWER, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';
import { untilRouted } from '../support/until-routed.js';

const REPO = 'test-org/tiny-chat-GGUF';

interface DeploymentBody {
  id: string;
  status: string;
  statusMessage: string;
  endpoints: string[];
}

// GGUF files of Hugging Face models, downloaded from a Hub on localhost into the data directory,
// and deployed from there on the local host with the embedded llama.cpp runtime.
describe.each(testBackends())('model file downloads (%s)', { timeout: 180_000 }, (backend) => {
  let hub: FakeHfHub;
  let t: TestApp;
  let headers: { authorization: string };
  const tiny = buildTinyModel();

  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, as = headers) =>
    t.app.inject({ method, url, headers: as, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const registerHubModel = async (name: string, file: string) => {
    const response = await call('POST', '/api/models', { name, hfRepoId: REPO, hfFile: file });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  };
  const waitUntilDone = <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 90_000): Promise<T> =>
    waitFor(what, async () => { const value = await read(); return done(value) ? value : undefined; }, { timeoutMs, pollMs: 100, describe: read });
  const downloadOf = async (id: string) => (await call('GET', `/api/models/${id}/download`)).json<ModelDownload>();

  beforeAll(async () => {
    hub = await startFakeHfHub();
    for (const file of ['tiny-chat.gguf', 'tiny-chat-cut.gguf', 'tiny-chat-deploy.gguf']) hub.hostFile(REPO, file, tiny);
    t = await createTestApp(backend, { HF_ENDPOINT: hub.url, HMAS_RECONCILE_INTERVAL_MS: '1000' });
    t.loops.startAll();
    headers = await t.admin();
  });
  afterAll(async () => {
    await t?.close();
    await hub?.close();
  });

  it('downloads a Hub GGUF file into the data directory with progress, audited, for operators only', async () => {
    const id = await registerHubModel('tiny-hub', 'tiny-chat.gguf');
    const none = await call('GET', `/api/models/${id}/download`);
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe('MODEL_DOWNLOAD_NOT_FOUND');

    const viewer = await t.userWithRole('viewer');
    expect((await call('POST', `/api/models/${id}/download`, undefined, viewer.headers)).statusCode).toBe(403);

    const started = await call('POST', `/api/models/${id}/download`);
    expect(started.statusCode, started.body).toBe(202);
    const expectedPath = path.join(t.config.dataDir, 'models', 'test-org__tiny-chat-GGUF', 'main', 'tiny-chat.gguf');
    expect(started.json()).toMatchObject({ repoId: REPO, revision: 'main', file: 'tiny-chat.gguf', path: expectedPath });

    const done = await waitUntilDone(() => downloadOf(id), (d) => d.state === 'done', 'the download');
    expect(done).toMatchObject({ bytes: tiny.length, totalBytes: tiny.length, percent: 100, errorCode: null });
    expect((await readFile(expectedPath)).equals(tiny)).toBe(true);
    // A viewer may watch it.
    expect((await call('GET', `/api/models/${id}/download`, undefined, viewer.headers)).statusCode).toBe(200);
    // Starting again downloads nothing more.
    const cdnGets = hub.requests.filter((r) => r.server === 'cdn' && r.path.endsWith('/tiny-chat.gguf')).length;
    expect((await call('POST', `/api/models/${id}/download`)).json()).toMatchObject({ state: 'done' });
    expect(hub.requests.filter((r) => r.server === 'cdn' && r.path.endsWith('/tiny-chat.gguf'))).toHaveLength(cdnGets);

    const audit = await call('GET', '/api/audit-logs?action=model.download');
    expect(audit.json<{ items: Array<{ action: string; resourceId: string }> }>().items).toContainEqual(expect.objectContaining({ action: 'model.download', resourceId: id }));
  });

  it('resumes a download whose connection was cut, byte-identical', async () => {
    const id = await registerHubModel('tiny-hub-cut', 'tiny-chat-cut.gguf');
    hub.cutDownloads(100_000);
    expect((await call('POST', `/api/models/${id}/download`)).statusCode).toBe(202);
    const done = await waitUntilDone(() => downloadOf(id), (d) => d.state === 'done' || d.state === 'failed', 'the download');
    expect(done).toMatchObject({ state: 'done', attempts: 2 });
    expect((await readFile(done.path)).equals(tiny)).toBe(true);
    const ranges = hub.requests.filter((r) => r.server === 'cdn' && r.path.endsWith('/tiny-chat-cut.gguf')).map((r) => r.range);
    expect(ranges).toEqual([undefined, expect.stringMatching(/^bytes=[1-9]\d*-$/)]);
  });

  it('answers clear errors for a file the Hub does not have, a local model and a safetensors repo', async () => {
    const missing = await registerHubModel('tiny-hub-missing', 'missing.gguf');
    const notFound = await call('POST', `/api/models/${missing}/download`);
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json().error).toMatchObject({ code: 'HF_FILE_NOT_FOUND' });
    expect(await downloadOf(missing)).toMatchObject({ state: 'failed', errorCode: 'HF_FILE_NOT_FOUND' });

    const file = path.join(t.config.dataDir, 'local-tiny.gguf');
    await writeTinyModel(file);
    const local = await call('POST', '/api/models', { localPath: file, name: 'tiny-local' });
    const localAnswer = await call('POST', `/api/models/${local.json().id}/download`);
    expect(localAnswer.statusCode).toBe(409);
    expect(localAnswer.json().error.code).toBe('MODEL_IS_LOCAL');

    const repo = await call('POST', '/api/models', { name: 'qwen-safetensors', hfRepoId: 'Qwen/Qwen2.5-0.5B-Instruct' });
    const repoAnswer = await call('POST', `/api/models/${repo.json().id}/download`);
    expect(repoAnswer.statusCode).toBe(409);
    expect(repoAnswer.json().error.code).toBe('MODEL_NOT_DOWNLOADABLE');
  });

  it('deploys a Hub GGUF model on embedded-llamacpp: 409 MODEL_DOWNLOADING first, then from the downloaded file', async () => {
    const modelId = await registerHubModel('tiny-hub-deploy', 'tiny-chat-deploy.gguf');
    const body = { name: 'tiny-hub', modelId, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 1, optimization: { tier2: { threads: 1 } } };
    const refused = await call('POST', '/api/deployments', body);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'MODEL_DOWNLOADING', details: { download: { file: 'tiny-chat-deploy.gguf' } } });
    expect(refused.json().error.message).toContain(`GET /api/models/${modelId}/download`);

    const done = await waitUntilDone(() => downloadOf(modelId), (d) => d.state === 'done', 'the download');
    expect((await stat(done.path)).size).toBe(tiny.length);

    const created = await call('POST', '/api/deployments', body);
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<DeploymentBody>();
    const running = await waitUntilDone(async () => (await call('GET', `/api/deployments/${id}`)).json<DeploymentBody>(), (d) => d.status === 'running' || d.status === 'failed', 'running');
    expect(running.status, running.statusMessage).toBe('running');
    // Through the gateway: replicas accept only its per-replica token.
    const completion = await untilRouted(
      'tiny-hub',
      () => call('POST', '/api/inference/tiny-hub/v1/chat/completions', { model: 'tiny-hub', messages: [{ role: 'user', content: 'Say hello' }], temperature: 0 }),
      (answer) => answer.statusCode,
    );
    expect(completion.statusCode, completion.body).toBe(200);
    const answer = completion.json<{ choices: Array<{ message: { content: string } }> }>();
    expect(answer.choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);

    const logs = await call('GET', `/api/deployments/${id}/logs?tailLines=50`);
    expect(logs.statusCode).toBe(200);
    expect((await call('DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
  });
});
