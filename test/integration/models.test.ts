import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model, ModelDraft } from '../../src/domain/model.js';
import type { FitResult } from '../../src/domain/resource-fit.js';
import { FAKE_HF_TOKEN, startFakeHfHub, unreachableHubUrl, type FakeHfHub } from '../fakes/fake-hf-hub.js';
import { buildGguf, tinyLlamaGguf, writeGgufFile } from '../support/gguf-writer.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';

type Headers = { authorization: string };

/** The eight fields of SPEC section 2, per recorded repo. */
const HUB_REPOS = [
  {
    kind: 'a small chat LLM',
    repoId: 'Qwen/Qwen2.5-0.5B-Instruct',
    fields: { name: 'Qwen2.5-0.5B-Instruct', category: 'LLM', sizeB: 0.494033, displaySize: '500M', license: 'apache-2.0', dtype: 'bfloat16', contextLength: 32_768, format: 'safetensors' },
    description: 'Qwen2.5-0.5B-Instruct by Qwen: a 500M-parameter text-generation language model (qwen2, bfloat16 safetensors) with a 32,768-token context. License: apache-2.0.',
    gpus: { gpusNeeded: 1, tensorParallelSize: 1 },
  },
  {
    kind: 'a 70B-class LLM',
    repoId: 'Qwen/Qwen2.5-72B-Instruct',
    fields: { name: 'Qwen2.5-72B-Instruct', category: 'LLM', sizeB: 72.706204, displaySize: '72B', license: 'qwen', dtype: 'bfloat16', contextLength: 32_768, format: 'safetensors' },
    description: 'Qwen2.5-72B-Instruct by Qwen: a 72B-parameter text-generation language model (qwen2, bfloat16 safetensors) with a 32,768-token context. License: qwen.',
    gpus: { gpusNeeded: 3, tensorParallelSize: 4 },
  },
  {
    kind: 'a GGUF repo',
    repoId: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
    fields: { name: 'Qwen2.5-0.5B-Instruct-GGUF', category: 'LLM', sizeB: 0.630167, displaySize: '630M', license: 'apache-2.0', dtype: 'Q4_K_M', contextLength: 32_768, format: 'gguf', hfFile: 'qwen2.5-0.5b-instruct-q4_k_m.gguf', weightBytes: 485_452_288 },
    description: 'Qwen2.5-0.5B-Instruct-GGUF by Qwen: a 630M-parameter text-generation language model (qwen2, Q4_K_M GGUF (qwen2.5-0.5b-instruct-q4_k_m.gguf)) with a 32,768-token context. License: apache-2.0.',
    gpus: { gpusNeeded: 1, tensorParallelSize: 1 },
  },
  {
    kind: 'an embedding model',
    repoId: 'intfloat/e5-mistral-7b-instruct',
    fields: { name: 'e5-mistral-7b-instruct', category: 'Embedding', sizeB: 7.11066, displaySize: '7B', license: 'mit', dtype: 'float16', contextLength: 32_768, format: 'safetensors' },
    description: 'e5-mistral-7b-instruct by intfloat: a 7B-parameter feature-extraction embedding model (mistral, float16 safetensors) with a 32,768-token context. License: mit.',
    gpus: { gpusNeeded: 1, tensorParallelSize: 1 },
  },
  {
    kind: 'a vision model',
    repoId: 'Qwen/Qwen2-VL-7B-Instruct',
    fields: { name: 'Qwen2-VL-7B-Instruct', category: 'Vision', sizeB: 8.291376, displaySize: '7B', license: 'apache-2.0', dtype: 'bfloat16', contextLength: 32_768, format: 'safetensors' },
    description: 'Qwen2-VL-7B-Instruct by Qwen: a 7B-parameter image-text-to-text vision-language model (qwen2_vl, bfloat16 safetensors) with a 32,768-token context. License: apache-2.0.',
    gpus: { gpusNeeded: 1, tensorParallelSize: 1 },
  },
  {
    kind: 'a code model',
    repoId: 'Qwen/Qwen2.5-Coder-7B-Instruct',
    fields: { name: 'Qwen2.5-Coder-7B-Instruct', category: 'Code', sizeB: 7.615617, displaySize: '7B', license: 'apache-2.0', dtype: 'bfloat16', contextLength: 32_768, format: 'safetensors' },
    description: 'Qwen2.5-Coder-7B-Instruct by Qwen: a 7B-parameter text-generation code model (qwen2, bfloat16 safetensors) with a 32,768-token context. License: apache-2.0.',
    gpus: { gpusNeeded: 1, tensorParallelSize: 1 },
  },
] as const;

describe.each(testBackends())('models (%s)', (backend) => {
  let hub: FakeHfHub;
  let t: TestApp;
  let operator: Headers;
  let viewer: Headers;
  let dir: string;

  beforeAll(async () => {
    hub = await startFakeHfHub();
    t = await createTestApp(backend, { HF_ENDPOINT: hub.url });
    operator = (await t.userWithRole('operator')).headers;
    viewer = (await t.userWithRole('viewer')).headers;
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-models-'));
  });
  afterAll(async () => {
    await t?.close();
    await hub?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const importRepo = (repoId: string, extra: Record<string, unknown> = {}, headers: Headers = operator, app: TestApp = t, query = '') =>
    app.app.inject({ method: 'POST', url: `/api/models/import/huggingface${query}`, headers, payload: { repoId, ...extra } });

  it('lets an operator register, read, change and delete a model, and viewers only read', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/models',
      headers: operator,
      payload: { hfRepoId: 'mistralai/Mistral-7B-Instruct-v0.3', sizeB: 7.25, contextLength: 32_768, dtype: 'bfloat16', license: 'apache-2.0' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const model = created.json<Model>();
    expect(model).toMatchObject({
      name: 'Mistral-7B-Instruct-v0.3',
      source: 'huggingface',
      format: 'safetensors',
      hfRepoId: 'mistralai/Mistral-7B-Instruct-v0.3',
      revision: 'main',
      localPath: null,
      category: 'LLM',
      sizeB: 7.25,
      displaySize: '7B',
    });
    expect(model.id).toMatch(/^[0-9a-f-]{36}$/);
    // No architecture: the KV cache is an estimate, and the answer says so.
    expect(model.recommendation).toMatchObject({ weightsBytes: 14_500_000_000, kvCacheBasis: 'estimate', gpuCount: 1 });

    expect((await t.app.inject({ method: 'GET', url: `/api/models/${model.id}`, headers: viewer })).json()).toEqual(model);
    const list = await t.app.inject({ method: 'GET', url: '/api/models?q=mistral-7b&category=LLM', headers: viewer });
    expect(list.json()).toMatchObject({ total: 1, items: [{ id: model.id }] });

    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/models/${model.id}`,
      headers: operator,
      payload: { description: 'Mistral 7B v0.3', category: 'Code', architecture: { numLayers: 32, numAttentionHeads: 32, numKeyValueHeads: 8, hiddenSize: 4096 } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json<Model>()).toMatchObject({ description: 'Mistral 7B v0.3', category: 'Code', architecture: { numLayers: 32, headDim: null }, recommendation: { kvCacheBasis: 'architecture', kvCacheBytesPerToken: 131_072 } });

    for (const request of [
      { method: 'POST' as const, url: '/api/models', payload: { hfRepoId: 'a/b' } },
      { method: 'PATCH' as const, url: `/api/models/${model.id}`, payload: { description: 'viewer edit' } },
      { method: 'DELETE' as const, url: `/api/models/${model.id}` },
      { method: 'POST' as const, url: '/api/models/import/huggingface', payload: { repoId: 'Qwen/Qwen2.5-0.5B-Instruct' } },
      { method: 'POST' as const, url: '/api/model-presets/phi-4/add', payload: {} },
    ]) {
      const response = await t.app.inject({ ...request, headers: viewer });
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(403);
    }

    expect((await t.app.inject({ method: 'DELETE', url: `/api/models/${model.id}`, headers: operator })).statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'GET', url: `/api/models/${model.id}`, headers: viewer });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('MODEL_NOT_FOUND');
  });

  it('answers 409 MODEL_EXISTS for a duplicate name, whatever its case', async () => {
    const first = await t.app.inject({ method: 'POST', url: '/api/models', headers: operator, payload: { name: 'dupe-model', hfRepoId: 'org/dupe-model' } });
    expect(first.statusCode).toBe(201);
    const again = await t.app.inject({ method: 'POST', url: '/api/models', headers: operator, payload: { name: 'DUPE-Model', hfRepoId: 'org/other' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('MODEL_EXISTS');
    const other = await t.app.inject({ method: 'POST', url: '/api/models', headers: operator, payload: { name: 'dupe-model-2', hfRepoId: 'org/other' } });
    const rename = await t.app.inject({ method: 'PATCH', url: `/api/models/${other.json<Model>().id}`, headers: operator, payload: { name: 'Dupe-Model' } });
    expect(rename.statusCode).toBe(409);
    expect(rename.json().error.code).toBe('MODEL_EXISTS');
  });

  it.each(HUB_REPOS)('imports $kind ($repoId) from the Hub with all eight fields', async ({ repoId, fields, description, gpus }) => {
    const response = await importRepo(repoId);
    expect(response.statusCode, response.body).toBe(201);
    const model = response.json<Model>();
    expect(model).toMatchObject({ ...fields, hfRepoId: repoId, revision: 'main', source: 'huggingface', description });
    expect(model.recommendation).toMatchObject({ ...gpus, kvCacheBasis: 'architecture' });
    const again = await t.app.inject({ method: 'GET', url: `/api/models/${model.id}`, headers: viewer });
    expect(again.json()).toEqual(model);
  });

  it('previews an import with dryRun=true and saves nothing', async () => {
    const preview = await importRepo('Qwen/Qwen2.5-Coder-7B-Instruct', { name: 'coder-preview' }, operator, t, '?dryRun=true');
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json<ModelDraft>()).toMatchObject({ name: 'coder-preview', category: 'Code', displaySize: '7B', notes: [], recommendation: { tensorParallelSize: 1 } });
    const list = await t.app.inject({ method: 'GET', url: '/api/models?q=coder-preview', headers: viewer });
    expect(list.json().total).toBe(0);
  });

  it('imports a pinned revision, and answers 404 for an unknown revision or repo', async () => {
    const pinned = await importRepo('Qwen/Qwen2.5-0.5B-Instruct', { revision: '7ae557604adf67be50417f59c2c2f167def9a775', name: 'qwen-pinned' });
    expect(pinned.statusCode, pinned.body).toBe(201);
    expect(pinned.json<Model>().revision).toBe('7ae557604adf67be50417f59c2c2f167def9a775');
    expect(hub.requests.some((request) => request.path === '/Qwen/Qwen2.5-0.5B-Instruct/resolve/7ae557604adf67be50417f59c2c2f167def9a775/config.json')).toBe(true);

    const revision = await importRepo('Qwen/Qwen2.5-0.5B-Instruct', { revision: 'v99', name: 'qwen-v99' });
    expect(revision.statusCode).toBe(404);
    expect(revision.json().error.code).toBe('HF_REVISION_NOT_FOUND');

    const unknown = await importRepo('nobody/no-such-model');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'HF_REPO_NOT_FOUND', message: expect.stringContaining('nobody/no-such-model') });
  });

  it('answers 409 MODEL_EXISTS when the same repo is imported twice, and imports it under another name', async () => {
    const again = await importRepo('Qwen/Qwen2.5-0.5B-Instruct');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('MODEL_EXISTS');
    const renamed = await importRepo('Qwen/Qwen2.5-0.5B-Instruct', { name: 'qwen-small-2' });
    expect(renamed.statusCode).toBe(201);
  });

  it('imports a chosen file of a GGUF repo, and refuses a file the repo does not have', async () => {
    const q8 = await importRepo('Qwen/Qwen2.5-0.5B-Instruct-GGUF', { hfFile: 'qwen2.5-0.5b-instruct-q8_0.gguf', name: 'qwen-q8' }, operator, t, '?dryRun=true');
    expect(q8.statusCode, q8.body).toBe(200);
    // The fake hub holds only the Q4_K_M header: Q8_0's fields come from the name and the gguf block.
    expect(q8.json<ModelDraft>()).toMatchObject({ hfFile: 'qwen2.5-0.5b-instruct-q8_0.gguf', dtype: 'Q8_0', parameterCount: 630_167_424, architecture: null });
    expect(q8.json<ModelDraft>().notes[0]).toContain('Could not read the GGUF header');

    const missing = await importRepo('Qwen/Qwen2.5-0.5B-Instruct-GGUF', { hfFile: 'qwen2.5-0.5b-instruct-q1_0.gguf' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('HF_FILE_NOT_FOUND');
  });

  it('refuses a gated repo without HF_TOKEN: 403 HF_ACCESS_DENIED', async () => {
    const response = await importRepo('meta-llama/Llama-3.1-70B-Instruct');
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toMatchObject({ code: 'HF_ACCESS_DENIED', message: expect.stringContaining('gated: set HF_TOKEN') });
  });

  it('answers 502 HF_BAD_RESPONSE when the Hub fails, and never a 500', async () => {
    hub.failWith(500);
    try {
      const response = await importRepo('Qwen/Qwen2.5-0.5B-Instruct', { name: 'during-outage' });
      expect(response.statusCode).toBe(502);
      expect(response.json().error.code).toBe('HF_BAD_RESPONSE');
    } finally {
      hub.failWith(null);
    }
  });

  it('registers a local GGUF file from the header of a file it generated', async () => {
    const file = path.join(dir, 'tiny-llama-q8.gguf');
    await writeGgufFile(file, tinyLlamaGguf({ name: 'Tiny Llama 2L', layers: 2, embedding: 64, heads: 4, kvHeads: 2, feedForward: 128, vocab: 32, contextLength: 2048, fileType: 7, weightType: 'Q8_0' }));
    const created = await t.app.inject({ method: 'POST', url: '/api/models', headers: operator, payload: { localPath: file } });
    expect(created.statusCode, created.body).toBe(201);
    const perLayer = 2 * 64 + 2 * 64 * 64 + 2 * 64 * 32 + 3 * 64 * 128;
    const parameters = 2 * 64 * 32 + 64 + 2 * perLayer;
    expect(created.json<Model>()).toMatchObject({
      name: 'tiny-llama-q8',
      source: 'local',
      format: 'gguf',
      localPath: file,
      hfRepoId: null,
      category: 'LLM',
      parameterCount: parameters,
      dtype: 'Q8_0',
      contextLength: 2048,
      architecture: { name: 'llama', numLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, headDim: 16, hiddenSize: 64 },
      recommendation: { weightsBasis: 'file', gpuCount: 1 },
    });
    expect(created.json<Model>().description).toContain('Tiny Llama 2L');

    const named = await t.app.inject({ method: 'POST', url: '/api/models', headers: operator, payload: { localPath: file, name: 'tiny-embedder', category: 'Embedding', contextLength: 512 } });
    expect(named.json<Model>()).toMatchObject({ name: 'tiny-embedder', category: 'Embedding', contextLength: 512, dtype: 'Q8_0' });
  });

  it('refuses local files that are missing, not GGUF, cut short or unreadable, with 400 and a code', async () => {
    const notGguf = path.join(dir, 'weights.gguf');
    await writeFile(notGguf, 'PK\u0003\u0004 not a gguf file at all');
    const bytes = buildGguf(tinyLlamaGguf());
    const cut = path.join(dir, 'cut.gguf');
    await writeFile(cut, bytes.subarray(0, bytes.length - 64));
    const locked = path.join(dir, 'locked.gguf');
    await writeFile(locked, bytes);
    await chmod(locked, 0o000);
    const cases: Array<[string, string[]]> = [
      [path.join(dir, 'nothing-here.gguf'), ['MODEL_FILE_NOT_FOUND']],
      [notGguf, ['GGUF_NOT_GGUF']],
      [cut, ['GGUF_TRUNCATED']],
      // Root reads any file: then the locked file is simply registered.
      [locked, process.getuid?.() === 0 ? ['created'] : ['MODEL_FILE_UNREADABLE']],
    ];
    const dirAsFile = path.join(dir, 'folder.gguf');
    await rm(dirAsFile, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(dirAsFile));
    cases.push([dirAsFile, ['MODEL_FILE_NOT_FOUND']]);
    for (const [localPath, codes] of cases) {
      const response = await t.app.inject({ method: 'POST', url: '/api/models', headers: operator, payload: { localPath } });
      if (codes[0] === 'created') {
        expect(response.statusCode, localPath).toBe(201);
        continue;
      }
      expect(response.statusCode, `${localPath}: ${response.body}`).toBe(400);
      expect(codes).toContain(response.json().error.code);
    }
  });

  it('lists the preset catalog and adds a preset to the registry in one call', async () => {
    const catalog = await t.app.inject({ method: 'GET', url: '/api/model-presets', headers: viewer });
    expect(catalog.statusCode).toBe(200);
    const items = catalog.json<{ items: Array<{ id: string; category: string; recommendation: unknown }> }>().items;
    expect(items.length).toBeGreaterThanOrEqual(20);
    expect(new Set(items.map((item) => item.category))).toEqual(new Set(['LLM', 'Vision', 'Code', 'Embedding']));
    const embeddings = await t.app.inject({ method: 'GET', url: '/api/model-presets?category=Embedding', headers: viewer });
    expect(embeddings.json().items.every((item: { category: string }) => item.category === 'Embedding')).toBe(true);

    const added = await t.app.inject({ method: 'POST', url: '/api/model-presets/llama-3.3-70b-instruct/add', headers: operator, payload: {} });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json<Model>()).toMatchObject({
      name: 'Llama-3.3-70B-Instruct',
      hfRepoId: 'meta-llama/Llama-3.3-70B-Instruct',
      presetId: 'llama-3.3-70b-instruct',
      category: 'LLM',
      parameterCount: 70_553_706_496,
      displaySize: '70B',
      license: 'llama3.3',
      contextLength: 131_072,
      recommendation: { gpusNeeded: 3, tensorParallelSize: 4 },
    });
    const twice = await t.app.inject({ method: 'POST', url: '/api/model-presets/llama-3.3-70b-instruct/add', headers: operator, payload: {} });
    expect(twice.json().error.code).toBe('MODEL_EXISTS');
    const renamed = await t.app.inject({ method: 'POST', url: '/api/model-presets/llama-3.3-70b-instruct/add', headers: operator, payload: { name: 'llama-70b-b' } });
    expect(renamed.statusCode).toBe(201);
    const unknown = await t.app.inject({ method: 'POST', url: '/api/model-presets/no-such-preset/add', headers: operator, payload: {} });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('MODEL_PRESET_NOT_FOUND');
  });

  it('answers the fit of a 70B bf16 model on 80 GiB GPUs with the numbers', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/models?q=Llama-3.3-70B-Instruct', headers: viewer });
    const id = list.json<{ items: Model[] }>().items[0]!.id;
    const fits = await t.app.inject({ method: 'GET', url: `/api/models/${id}/fit?gpuMemoryGiB=80&freeGpus=8&replicas=2`, headers: viewer });
    expect(fits.statusCode, fits.body).toBe(200);
    expect(fits.json<FitResult>()).toMatchObject({
      fits: true,
      replicas: 2,
      gpusPerReplica: 4,
      gpusRequired: 8,
      freeGpus: 8,
      placeableReplicas: 2,
      placement: [{ node: 0, replicas: 2, gpus: 8 }],
      recommendation: { weightsBytes: 141_107_412_992, kvCacheBytes: 327_680 * 8192 * 4, gpusNeeded: 3, tensorParallelSize: 4, memoryPerGpuGiB: 37.35 },
      message: 'Fits: 2 replicas × 4 GPUs (37.35 GiB each) on 1 node, 0 of 8 free GPUs left.',
    });

    const spread = await t.app.inject({ method: 'GET', url: `/api/models/${id}/fit?gpuMemoryGiB=80&freeGpus=2,2,2,2`, headers: viewer });
    expect(spread.json<FitResult>()).toMatchObject({ fits: false, freeGpus: 8, largestNodeFreeGpus: 2 });

    const fp8 = await t.app.inject({ method: 'GET', url: `/api/models/${id}/fit?gpuMemoryGiB=80&freeGpus=2&dtype=fp8&concurrency=1&contextLength=4096`, headers: viewer });
    expect(fp8.json<FitResult>()).toMatchObject({ fits: true, gpusPerReplica: 1, recommendation: { weightsBytes: 70_553_706_496, kvCacheBytes: 327_680 * 4096, assumptions: { dtype: 'float8', contextLength: 4096, concurrency: 1 } } });
  });

  it('answers 409 MODEL_SIZE_UNKNOWN for the fit of a model without a size', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/models', headers: operator, payload: { name: 'sizeless', hfRepoId: 'BAAI/bge-m3', category: 'Embedding' } });
    expect(created.json<Model>().recommendation).toBeNull();
    const response = await t.app.inject({ method: 'GET', url: `/api/models/${created.json<Model>().id}/fit?gpuMemoryGiB=80&freeGpus=1`, headers: viewer });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('MODEL_SIZE_UNKNOWN');
  });

  it('audits model.create, model.update, model.delete and model.import', async () => {
    const imported = await importRepo('Qwen/Qwen2.5-0.5B-Instruct', { name: 'audited-model' });
    const id = imported.json<Model>().id;
    await t.app.inject({ method: 'PATCH', url: `/api/models/${id}`, headers: operator, payload: { license: 'apache-2.0' } });
    await t.app.inject({ method: 'DELETE', url: `/api/models/${id}`, headers: operator });
    const entries = await t.app.inject({ method: 'GET', url: '/api/audit-logs?action=model.&limit=500', headers: await t.admin() });
    const summaries = entries.json<{ items: Array<{ action: string; summary: string; outcome: string; resourceId: string | null }> }>().items;
    const forModel = summaries.filter((entry) => entry.resourceId === id).map((entry) => [entry.action, entry.summary]);
    expect(forModel).toEqual(
      expect.arrayContaining([
        ['model.import', 'imported Qwen/Qwen2.5-0.5B-Instruct from Hugging Face as audited-model'],
        ['model.update', 'changed model audited-model: license'],
        ['model.delete', 'unregistered model audited-model'],
      ]),
    );
    expect(summaries.some((entry) => entry.action === 'model.create' && entry.summary.startsWith('added preset llama-3.3-70b-instruct'))).toBe(true);
    expect(summaries.some((entry) => entry.action === 'model.import' && entry.outcome === 'failure')).toBe(true);
  });

  describe('with HF_TOKEN set', () => {
    let withToken: TestApp;
    let tokenOperator: Headers;
    beforeAll(async () => {
      withToken = await createTestApp(backend, { HF_ENDPOINT: hub.url, HF_TOKEN: FAKE_HF_TOKEN });
      tokenOperator = (await withToken.userWithRole('operator')).headers;
    });
    afterAll(async () => {
      await withToken?.close();
    });

    it('imports the gated 70B repo with all eight fields', async () => {
      const response = await importRepo('meta-llama/Llama-3.1-70B-Instruct', {}, tokenOperator, withToken);
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json<Model>()).toMatchObject({
        name: 'Llama-3.1-70B-Instruct',
        category: 'LLM',
        sizeB: 70.553706,
        parameterCount: 70_553_706_496,
        displaySize: '70B',
        license: 'llama3.1',
        dtype: 'bfloat16',
        contextLength: 131_072,
        architecture: { name: 'llama', numLayers: 80, numAttentionHeads: 64, numKeyValueHeads: 8, headDim: 128, hiddenSize: 8192 },
        recommendation: { gpusNeeded: 3, tensorParallelSize: 4, memoryPerGpuGiB: 37.35 },
      });
      expect(response.json<Model>().description).toContain('Gated on the Hub: downloading it needs HF_TOKEN.');
    });

    it('sends the token to the Hub and never to the CDN a download redirects to', async () => {
      const response = await importRepo('Qwen/Qwen2.5-0.5B-Instruct-GGUF', { name: 'gguf-with-token' }, tokenOperator, withToken);
      expect(response.statusCode, response.body).toBe(201);
      const hubCalls = hub.requests.filter((request) => request.server === 'hub' && request.path.includes('Qwen2.5-0.5B-Instruct-GGUF'));
      const cdnCalls = hub.requests.filter((request) => request.server === 'cdn');
      expect(hubCalls.at(-1)?.authorization).toBe(`Bearer ${FAKE_HF_TOKEN}`);
      expect(cdnCalls.length).toBeGreaterThan(0);
      expect(cdnCalls.every((request) => request.authorization === undefined)).toBe(true);
    });
  });

  describe('with the Hub down', () => {
    let offline: TestApp;
    beforeAll(async () => {
      offline = await createTestApp(backend, { HF_ENDPOINT: await unreachableHubUrl() });
    });
    afterAll(async () => {
      await offline?.close();
    });

    it('answers 502 HF_UNREACHABLE and still registers models by hand and from presets', async () => {
      const headers = await offline.admin();
      const response = await importRepo('Qwen/Qwen2.5-0.5B-Instruct', {}, headers, offline);
      expect(response.statusCode).toBe(502);
      expect(response.json().error).toMatchObject({ code: 'HF_UNREACHABLE', message: expect.stringContaining('Cannot reach the Hugging Face Hub') });
      const manual = await offline.app.inject({ method: 'POST', url: '/api/models', headers, payload: { hfRepoId: 'Qwen/Qwen2.5-0.5B-Instruct', sizeB: 0.5 } });
      expect(manual.statusCode).toBe(201);
      const preset = await offline.app.inject({ method: 'POST', url: '/api/model-presets/bge-m3/add', headers, payload: {} });
      expect(preset.statusCode).toBe(201);
    });
  });
});
