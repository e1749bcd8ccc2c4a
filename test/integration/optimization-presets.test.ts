import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OptimizationPreset } from '../../src/domain/optimization.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';

const URL = '/api/optimization-presets';

interface Page {
  items: OptimizationPreset[];
  total: number;
  limit: number;
  offset: number;
}

describe.each(testBackends())('optimization presets (%s)', (backend) => {
  let t: TestApp;
  let operator: { authorization: string };
  let viewer: { authorization: string };
  beforeAll(async () => {
    t = await createTestApp(backend);
    operator = (await t.userWithRole('operator')).headers;
    viewer = (await t.userWithRole('viewer')).headers;
  });
  afterAll(async () => t?.close());

  const create = (payload: unknown, headers = operator) => t.app.inject({ method: 'POST', url: URL, headers, payload: payload as object });
  const list = async (query = '') => {
    const response = await t.app.inject({ method: 'GET', url: `${URL}${query}`, headers: viewer });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Page>();
  };

  it('lists built-in presets, read-only, with stable ids, filtered by runtime', async () => {
    const vllm = await list('?runtime=vllm');
    expect(vllm.items.map((preset) => preset.id)).toEqual(['builtin:vllm:balanced', 'builtin:vllm:low-latency', 'builtin:vllm:high-throughput', 'builtin:vllm:long-context']);
    expect(vllm.items.every((preset) => preset.builtIn && preset.runtime === 'vllm' && preset.createdAt === null)).toBe(true);
    expect(vllm.items[0]).toMatchObject({
      name: 'balanced',
      optimization: { tier1: { gpuMemoryUtilization: 0.9 }, tier2: { prefixCaching: true, chunkedPrefill: true }, raw: {} },
    });
    const one = await t.app.inject({ method: 'GET', url: `${URL}/builtin:tei:balanced`, headers: viewer });
    expect(one.statusCode).toBe(200);
    expect(one.json<OptimizationPreset>()).toMatchObject({ runtime: 'tei', builtIn: true });
  });

  it('lets an admin write raw settings into a preset, and an operator read, change and delete it, with an audit entry for each change', async () => {
    const admin = await t.admin();
    const created = await create({
      name: 'chat-8k',
      runtime: 'vllm',
      description: 'Chat at 8k tokens',
      optimization: { tier1: { maxModelLength: 8192, dtype: 'bfloat16' }, tier2: { prefixCaching: true }, raw: { extraArgs: ['--chat-template', '/t/a b.jinja'] } },
    }, admin);
    expect(created.statusCode, created.body).toBe(201);
    const preset = created.json<OptimizationPreset>();
    expect(preset).toMatchObject({
      name: 'chat-8k',
      runtime: 'vllm',
      builtIn: false,
      description: 'Chat at 8k tokens',
      optimization: { tier1: { maxModelLength: 8192, dtype: 'bfloat16' }, tier2: { prefixCaching: true }, raw: { extraArgs: ['--chat-template', '/t/a b.jinja'] } },
    });
    expect(preset.id).toMatch(/^[0-9a-f-]{36}$/);

    const read = await t.app.inject({ method: 'GET', url: `${URL}/${preset.id}`, headers: viewer });
    expect(read.json()).toEqual(preset);

    // A given optimization replaces the old one whole: tier2 and raw are gone afterwards.
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `${URL}/${preset.id}`,
      headers: admin,
      payload: { name: 'chat-16k', optimization: { tier1: { maxModelLength: 16384 } } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json<OptimizationPreset>()).toMatchObject({
      name: 'chat-16k',
      description: 'Chat at 8k tokens',
      optimization: { tier1: { maxModelLength: 16384 }, tier2: {}, raw: {} },
    });

    const described = await t.app.inject({ method: 'PATCH', url: `${URL}/${preset.id}`, headers: operator, payload: { description: 'Long chat' } });
    expect(described.json<OptimizationPreset>()).toMatchObject({ name: 'chat-16k', description: 'Long chat', optimization: { tier1: { maxModelLength: 16384 } } });

    expect((await t.app.inject({ method: 'DELETE', url: `${URL}/${preset.id}`, headers: operator })).statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'GET', url: `${URL}/${preset.id}`, headers: viewer });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('OPTIMIZATION_PRESET_NOT_FOUND');

    const audit = await t.app.inject({ method: 'GET', url: '/api/audit-logs?action=optimization_preset.', headers: await t.admin() });
    const entries = audit.json<{ items: Array<{ action: string; resourceId: string | null; summary: string; outcome: string }> }>().items.filter((entry) => entry.resourceId === preset.id);
    expect(entries.map((entry) => [entry.action, entry.outcome]).sort()).toEqual(
      [
        ['optimization_preset.create', 'success'],
        ['optimization_preset.delete', 'success'],
        ['optimization_preset.update', 'success'],
        ['optimization_preset.update', 'success'],
      ].sort(),
    );
    expect(entries.map((entry) => entry.summary)).toContain('created vllm optimization preset chat-8k');
    expect(entries.map((entry) => entry.summary)).toContain('deleted vllm optimization preset chat-16k');
  });

  it('answers 409 PRESET_NAME_TAKEN for a duplicate name of the same runtime, but not of another runtime', async () => {
    expect((await create({ name: 'dupe', runtime: 'tgi', optimization: {} })).statusCode).toBe(201);
    const again = await create({ name: 'dupe', runtime: 'tgi', optimization: { tier1: { maxConcurrentSequences: 4 } } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('PRESET_NAME_TAKEN');
    expect((await create({ name: 'dupe', runtime: 'tei', optimization: {} })).statusCode).toBe(201);

    const other = await create({ name: 'dupe-2', runtime: 'tgi', optimization: {} });
    const rename = await t.app.inject({ method: 'PATCH', url: `${URL}/${other.json<OptimizationPreset>().id}`, headers: operator, payload: { name: 'dupe' } });
    expect(rename.statusCode).toBe(409);
    expect(rename.json().error.code).toBe('PRESET_NAME_TAKEN');
  });

  it('keeps built-in names reserved: 409 PRESET_NAME_TAKEN for a preset named like one', async () => {
    const response = await create({ name: 'balanced', runtime: 'ollama', optimization: {} });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'PRESET_NAME_TAKEN', message: expect.stringContaining('built-in Ollama preset') });
    // "balanced" is free for a runtime without a built-in of that name? Every runtime has one, so
    // a name no runtime uses is the control.
    expect((await create({ name: 'balanced-2', runtime: 'ollama', optimization: {} })).statusCode).toBe(201);
  });

  it('answers 409 BUILTIN_PRESET_READ_ONLY to changing or deleting a built-in preset, 404 to an unknown built-in id', async () => {
    const patch = await t.app.inject({ method: 'PATCH', url: `${URL}/builtin:vllm:balanced`, headers: operator, payload: { description: 'mine now' } });
    expect(patch.statusCode).toBe(409);
    expect(patch.json().error.code).toBe('BUILTIN_PRESET_READ_ONLY');
    const remove = await t.app.inject({ method: 'DELETE', url: `${URL}/builtin:vllm:balanced`, headers: operator });
    expect(remove.statusCode).toBe(409);
    expect(remove.json().error.code).toBe('BUILTIN_PRESET_READ_ONLY');
    const unknown = await t.app.inject({ method: 'DELETE', url: `${URL}/builtin:vllm:turbo`, headers: operator });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('OPTIMIZATION_PRESET_NOT_FOUND');
    expect((await list('?runtime=vllm')).items[0]).toMatchObject({ id: 'builtin:vllm:balanced', description: expect.not.stringContaining('mine') });
  });

  it.each([
    [{ name: 'tp', runtime: 'tei', optimization: { tier2: { tensorParallelSize: 2 } } }, 'TEI has no tensor parallel', '/optimization/tier2/tensorParallelSize'],
    [{ name: 'fp32', runtime: 'tgi', optimization: { tier1: { dtype: 'float32' } } }, 'TGI accepts dtype auto, float16, bfloat16', '/optimization/tier1/dtype'],
    [{ name: 'args', runtime: 'ollama', optimization: { raw: { extraArgs: ['--x'] } } }, 'Ollama takes no command-line arguments', '/optimization/raw/extraArgs'],
  ])('refuses settings that do not fit the runtime: %j', async (payload, message, path) => {
    const response = await create(payload, await t.admin());
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining(message),
      details: { issues: [{ path, message: expect.any(String) }] },
    });
  });

  it('refuses operators who add or change raw settings (403 RAW_SETTINGS_ADMIN_ONLY), and lets them keep an admin’s as they are', async () => {
    const refused = await create({ name: 'raw-by-operator', runtime: 'vllm', optimization: { raw: { extraEnv: { VLLM_LOGGING_LEVEL: 'DEBUG' } } } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'RAW_SETTINGS_ADMIN_ONLY', message: expect.stringContaining('admin-only') });
    const vetted = await create({ name: 'raw-by-admin', runtime: 'vllm', optimization: { raw: { extraArgs: ['--disable-log-requests'] } } }, await t.admin());
    const url = `${URL}/${vetted.json<OptimizationPreset>().id}`;
    const changed = await t.app.inject({ method: 'PATCH', url, headers: operator, payload: { optimization: { raw: { extraArgs: ['--trust-remote-code'] } } } });
    expect(changed.statusCode).toBe(403);
    expect(changed.json().error.code).toBe('RAW_SETTINGS_ADMIN_ONLY');
    const kept = await t.app.inject({ method: 'PATCH', url, headers: operator, payload: { optimization: { tier1: { maxModelLength: 4096 }, raw: { extraArgs: ['--disable-log-requests'] } } } });
    expect(kept.statusCode, kept.body).toBe(200);
    expect((await t.app.inject({ method: 'PATCH', url, headers: viewer, payload: { description: 'x' } })).statusCode).toBe(403);
  });

  it('refuses to change a stored preset into settings its runtime does not have', async () => {
    const created = await create({ name: 'embed-small', runtime: 'tei', optimization: { tier2: { maxBatchTokens: 8192 } } });
    const response = await t.app.inject({
      method: 'PATCH',
      url: `${URL}/${created.json<OptimizationPreset>().id}`,
      headers: operator,
      payload: { optimization: { tier2: { speculativeDecoding: { method: 'ngram', numSpeculativeTokens: 2 } } } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('TEI computes embeddings in one pass');
  });

  it('answers 400 with the setting named for a GPU memory utilization out of (0, 1]', async () => {
    const response = await create({ name: 'greedy', runtime: 'vllm', optimization: { tier1: { gpuMemoryUtilization: 1.2 } } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('gpuMemoryUtilization must be in (0, 1]');
  });

  it('lets viewers read presets but not change them', async () => {
    const response = await create({ name: 'viewer-made', runtime: 'vllm', optimization: {} }, viewer);
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('FORBIDDEN');
  });

  it('pages across built-in and stored presets with one total', async () => {
    await create({ name: 'page-a', runtime: 'embedded-llamacpp', optimization: { tier1: { maxModelLength: 1024 } } });
    await create({ name: 'page-b', runtime: 'embedded-llamacpp', optimization: {} });
    const all = await list('?runtime=embedded-llamacpp');
    expect(all.items.map((preset) => preset.name)).toEqual(['balanced', 'low-latency', 'long-context', 'page-a', 'page-b']);
    expect(all.total).toBe(5);
    const middle = await list('?runtime=embedded-llamacpp&limit=2&offset=2');
    expect(middle.items.map((preset) => preset.name)).toEqual(['long-context', 'page-a']);
    expect(middle).toMatchObject({ total: 5, limit: 2, offset: 2 });
    const last = await list('?runtime=embedded-llamacpp&limit=2&offset=4');
    expect(last.items.map((preset) => preset.name)).toEqual(['page-b']);
    const builtinsOnly = await list('?runtime=embedded-llamacpp&limit=2&offset=0');
    expect(builtinsOnly.items.map((preset) => preset.name)).toEqual(['balanced', 'low-latency']);
    expect(builtinsOnly.total).toBe(5);
  });
});
