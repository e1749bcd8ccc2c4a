import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_IDS, type RuntimeDescriptor } from '../../src/domain/optimization.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';

interface RenderBody {
  runtime: string;
  command: { host: string[]; container: string[] | null };
  args: string[];
  env: Record<string, string>;
  warnings: Array<{ path: string; message: string }>;
}

describe.each(testBackends())('runtimes API (%s)', (backend) => {
  let t: TestApp;
  let viewer: { authorization: string };
  beforeAll(async () => {
    t = await createTestApp(backend);
    viewer = (await t.userWithRole('viewer')).headers;
  });
  afterAll(async () => t?.close());

  const render = (runtime: string, payload: unknown, headers = viewer) =>
    t.app.inject({ method: 'POST', url: `/api/runtimes/${runtime}/render`, headers, payload: payload as object });

  it('lists every runtime to a viewer, with endpoints and knobs per tier as plain data', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/runtimes', headers: viewer });
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json<{ items: RuntimeDescriptor[] }>().items;
    expect(items.map((item) => item.id)).toEqual([...RUNTIME_IDS]);
    const vllm = items.find((item) => item.id === 'vllm')!;
    expect(vllm).toMatchObject({ port: 8000, healthPath: '/health', metricsPath: '/metrics', openaiBasePath: '/v1', supportsIncludeUsage: true });
    expect(vllm.knobs.tier1.map((knob) => knob.key)).toEqual(['maxModelLength', 'gpuMemoryUtilization', 'maxConcurrentSequences', 'dtype', 'quantization']);
    expect(vllm.knobs.tier1.find((knob) => knob.key === 'maxModelLength')).toMatchObject({ target: '--max-model-len', type: 'integer' });
    const ollama = items.find((item) => item.id === 'ollama')!;
    expect(ollama.metricsPath).toBeNull();
    expect(ollama.unsupported).toContainEqual({ key: 'tensorParallelSize', message: expect.stringContaining('no tensor-parallel size') });
  });

  it('answers one runtime, 404 RUNTIME_NOT_FOUND for an unknown one and 401 without a session', async () => {
    const tei = await t.app.inject({ method: 'GET', url: '/api/runtimes/tei', headers: viewer });
    expect(tei.statusCode).toBe(200);
    expect(tei.json<RuntimeDescriptor>()).toMatchObject({ id: 'tei', workloads: ['embed'] });
    const unknown = await t.app.inject({ method: 'GET', url: '/api/runtimes/sglang', headers: viewer });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('RUNTIME_NOT_FOUND');
    expect((await t.app.inject({ method: 'GET', url: '/api/runtimes' })).statusCode).toBe(401);
    const malformed = await t.app.inject({ method: 'GET', url: '/api/runtimes/VLLM!', headers: viewer });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('documents the runtime and preset routes in the OpenAPI description', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/runtimes', '/api/runtimes/{runtime}', '/api/runtimes/{runtime}/render', '/api/optimization-presets', '/api/optimization-presets/{id}']),
    );
  });

  it('previews the vLLM command line for a viewer, with warnings for knobs vLLM lacks', async () => {
    const response = await render('vllm', {
      optimization: { tier1: { maxModelLength: 8192, gpuMemoryUtilization: 0.9 }, tier2: { tensorParallelSize: 2, gpuLayers: 'all' } },
      context: { model: 'meta-llama/Llama-3.1-8B-Instruct', port: 8001 },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<RenderBody>()).toEqual({
      runtime: 'vllm',
      command: { host: ['vllm', 'serve'], container: null },
      args: [
        'meta-llama/Llama-3.1-8B-Instruct',
        '--host',
        '0.0.0.0',
        '--port',
        '8001',
        '--max-model-len',
        '8192',
        '--gpu-memory-utilization',
        '0.9',
        '--tensor-parallel-size',
        '2',
      ],
      env: {},
      warnings: [{ path: '/tier2/gpuLayers', message: expect.stringContaining('vLLM keeps every layer on the GPU') }],
    });
  });

  it('keeps a raw argument with spaces and shell syntax one argv entry through the API', async () => {
    const response = await render('tgi', { optimization: { raw: { extraArgs: ['--revision', 'a b; rm -rf / #'] } } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<RenderBody>().args.slice(-2)).toEqual(['--revision', 'a b; rm -rf / #']);
  });

  it('renders Ollama settings as environment variables', async () => {
    const response = await render('ollama', { optimization: { tier1: { maxConcurrentSequences: 4 }, tier2: { keepAlive: '1h' } } });
    expect(response.json<RenderBody>()).toMatchObject({
      command: { host: ['ollama', 'serve'], container: ['/bin/ollama', 'serve'] },
      args: [],
      env: { OLLAMA_HOST: '0.0.0.0:11434', OLLAMA_NUM_PARALLEL: '4', OLLAMA_KEEP_ALIVE: '1h' },
    });
  });

  it('answers 400 VALIDATION_FAILED with the issue when the runtime refuses a value', async () => {
    const response = await render('tgi', { optimization: { tier1: { dtype: 'float32' } } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('TGI accepts dtype auto, float16, bfloat16; "float32" is not one of them'),
      details: { issues: [{ path: '/tier1/dtype', message: expect.any(String) }] },
    });
  });

  it('answers 400 VALIDATION_FAILED for a tensor parallel size that is not a power of two', async () => {
    const response = await render('vllm', { optimization: { tier2: { tensorParallelSize: 3 } } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('tensorParallelSize must be a power of two');
  });

  it('renders a built-in preset by id, and refuses a preset of another runtime or both inputs at once', async () => {
    const preset = await render('vllm', { presetId: 'builtin:vllm:long-context' });
    expect(preset.statusCode, preset.body).toBe(200);
    expect(preset.json<RenderBody>().args).toEqual(expect.arrayContaining(['--max-model-len', '131072', '--kv-cache-dtype', 'fp8']));

    const mismatch = await render('tgi', { presetId: 'builtin:vllm:balanced' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().error.code).toBe('PRESET_RUNTIME_MISMATCH');

    const both = await render('vllm', { presetId: 'builtin:vllm:balanced', optimization: {} });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.code).toBe('VALIDATION_FAILED');

    const unknown = await render('vllm', { presetId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('OPTIMIZATION_PRESET_NOT_FOUND');
  });

  it('renders a stored preset', async () => {
    const operator = await t.userWithRole('operator');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/optimization-presets',
      headers: operator.headers,
      payload: { name: 'render-me', runtime: 'llamacpp', optimization: { tier1: { maxModelLength: 4096, maxConcurrentSequences: 2 } } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const response = await render('llamacpp', { presetId: created.json<{ id: string }>().id, context: { model: '/models/a.gguf' } });
    expect(response.json<RenderBody>().args).toEqual(['--model', '/models/a.gguf', '--host', '0.0.0.0', '--port', '8080', '--metrics', '--ctx-size', '8192', '--parallel', '2']);
  });

  it('writes no audit entry for a preview', async () => {
    const count = async () => (await t.app.inject({ method: 'GET', url: '/api/audit-logs?limit=1', headers: await t.admin() })).json<{ total: number }>().total;
    const before = await count();
    expect((await render('vllm', { optimization: { tier1: { maxModelLength: 1024 } } })).statusCode).toBe(200);
    expect(await count()).toBe(before);
  });
});
