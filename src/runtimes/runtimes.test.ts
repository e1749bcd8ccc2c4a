import { describe, expect, it } from 'vitest';
import { KNOB_KEYS, RUNTIME_IDS, runtimeDescriptorSchema, type Optimization } from '../domain/optimization.js';
import { checkHostRuntimeEnv } from '../domain/runtime-env-policy.js';
import { ValidationError, type AppError } from '../lib/errors.js';
import { listRuntimes, requireRuntime, RUNTIMES } from './index.js';

// Behaviour every adapter shares through defineRuntime; per-runtime flag tables are in <runtime>.test.ts.

const CTX = { model: '/models/m' };
const adapters = listRuntimes();

describe('runtime registry', () => {
  it('has one adapter per runtime id, registered under its own id', () => {
    expect(Object.keys(RUNTIMES).sort()).toEqual([...RUNTIME_IDS].sort());
    for (const id of RUNTIME_IDS) expect(RUNTIMES[id].id).toBe(id);
  });

  it('answers 404 RUNTIME_NOT_FOUND for an unknown runtime', () => {
    expect(() => requireRuntime('sglang')).toThrow(expect.objectContaining({ code: 'RUNTIME_NOT_FOUND', statusCode: 404 }));
  });
});

describe.each(adapters.map((adapter) => [adapter.id, adapter] as const))('%s', (_id, adapter) => {
  it('lists the environment variables it documents, with the documentation, and none of them is a loader hook', () => {
    expect(adapter.env.docs.length).toBeGreaterThan(0);
    const names = adapter.env.variables.map((pattern) => (pattern.endsWith('*') ? `${pattern.slice(0, -1)}X` : pattern));
    expect(checkHostRuntimeEnv(names, { displayName: adapter.displayName, env: { ...adapter.env, reserved: [] } })).toEqual([]);
  });

  it('renders only variables the local host lets it have', () => {
    const { env } = adapter.render({}, CTX);
    expect(checkHostRuntimeEnv(Object.keys(env), { displayName: adapter.displayName, env: { ...adapter.env, reserved: [] } })).toEqual([]);
  });

  it('either maps every knob or says in its own words why it does not have it', () => {
    for (const key of KNOB_KEYS) {
      const mapped = key in adapter.knobs;
      const explained = adapter.unsupported[key] !== undefined;
      expect(mapped !== explained, `${key}: mapped=${mapped}, explained=${explained}`).toBe(true);
    }
  });

  it('describes itself as plain data that matches the API schema', () => {
    const descriptor = adapter.describe();
    expect(JSON.parse(JSON.stringify(descriptor))).toEqual(descriptor);
    expect(runtimeDescriptorSchema.strict().safeParse(descriptor).success).toBe(true);
    expect(descriptor.knobs.tier1.length + descriptor.knobs.tier2.length + descriptor.unsupported.length).toBe(KNOB_KEYS.length);
  });

  it('renders the same output for the same settings, whatever order their keys come in, without changing them', () => {
    const a: Optimization = { tier1: { maxModelLength: 2048, maxConcurrentSequences: 2 }, tier2: { threads: 4, flashAttention: true } };
    const b: Optimization = { tier2: { flashAttention: true, threads: 4 }, tier1: { maxConcurrentSequences: 2, maxModelLength: 2048 } };
    const before = structuredClone(a);
    expect(adapter.render(a, CTX)).toEqual(adapter.render(b, CTX));
    expect(JSON.stringify(adapter.render(a, CTX))).toBe(JSON.stringify(adapter.render(b, CTX)));
    expect(a).toEqual(before);
  });

  it('refuses a bad value with 400 VALIDATION_FAILED naming the setting', () => {
    let caught: unknown;
    try {
      adapter.render({ tier1: { gpuMemoryUtilization: 1.5 } }, CTX);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as AppError).statusCode).toBe(400);
    expect((caught as AppError).message).toContain('tier1.gpuMemoryUtilization: gpuMemoryUtilization must be in (0, 1]: at most 1');
    expect((caught as AppError).details).toEqual({ issues: [{ path: '/tier1/gpuMemoryUtilization', message: expect.any(String) }] });
  });

  it.each([
    [{ model: 'two\nlines' }, 'context.model'],
    [{ model: '' }, 'context.model'],
    [{ model: '/m', port: 70000 }, 'context.port'],
    [{ model: '/m', host: 'evil host; rm -rf /' }, 'context.host'],
  ])('refuses a render context of %j', (context, what) => {
    expect(() => adapter.render({}, context)).toThrow(what);
  });

  it('renders the default port when none is given', () => {
    const out = adapter.render({}, CTX);
    expect([...out.args, ...Object.values(out.env)].join(' ')).toContain(String(adapter.port));
  });
});

describe.each(adapters.filter((adapter) => adapter.raw.extraArgs).map((adapter) => [adapter.id, adapter] as const))('raw overrides on %s', (_id, adapter) => {
  it('keeps each extra argument one argv entry, spaces and shell syntax included, after the rendered ones', () => {
    const extraArgs = ['--chat-template', '{{ messages }} ; rm -rf / && echo $(id)', 'two words', "it's \"quoted\""];
    const plain = adapter.render({}, CTX).args;
    const out = adapter.render({ raw: { extraArgs } }, CTX);
    expect(out.args).toEqual([...plain, ...extraArgs]);
    expect(out.args).toHaveLength(plain.length + 4);
  });

  it('warns when an extra argument repeats a flag the settings already render, and keeps both', () => {
    const [firstFlag] = adapter.render({}, CTX).args.filter((arg) => arg.startsWith('--'));
    const out = adapter.render({ raw: { extraArgs: [`${firstFlag}=x`] } }, CTX);
    expect(out.args.at(-1)).toBe(`${firstFlag}=x`);
    expect(out.warnings).toEqual([{ path: '/raw/extraArgs/0', message: expect.stringContaining(`${firstFlag} is already rendered`) }]);
  });
});

describe('raw environment', () => {
  it('lets extraEnv replace a rendered variable, with a warning', () => {
    const out = RUNTIMES.ollama.render({ tier1: { maxConcurrentSequences: 2 }, raw: { extraEnv: { OLLAMA_NUM_PARALLEL: '8', CUDA_VISIBLE_DEVICES: '0,1' } } }, CTX);
    expect(out.env).toEqual({ OLLAMA_HOST: '0.0.0.0:11434', OLLAMA_NUM_PARALLEL: '8', CUDA_VISIBLE_DEVICES: '0,1' });
    expect(out.warnings).toEqual([{ path: '/raw/extraEnv/OLLAMA_NUM_PARALLEL', message: 'extraEnv OLLAMA_NUM_PARALLEL replaces the value rendered from the settings.' }]);
  });

  it('passes extraEnv to argument-driven runtimes unchanged', () => {
    expect(RUNTIMES.vllm.render({ raw: { extraEnv: { VLLM_ATTENTION_BACKEND: 'FLASHINFER' } } }, CTX).env).toEqual({ VLLM_ATTENTION_BACKEND: 'FLASHINFER' });
  });
});

describe.each(adapters.map((adapter) => [adapter.id, adapter] as const))('%s: what the gateway reaches', (_id, adapter) => {
  it('lists inference routes only: canonical paths, each with its documentation, never health or metrics', () => {
    expect(adapter.inferenceRoutes.length).toBeGreaterThan(0);
    for (const route of adapter.inferenceRoutes) {
      expect(route.path).toMatch(/^(?:\/[A-Za-z0-9_-]+)+$/);
      expect(route.doc).toMatch(/^(https:\/\/|src\/)/);
      expect([adapter.healthPath, adapter.metricsPath]).not.toContain(route.path);
    }
    const keys = adapter.inferenceRoutes.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('names the variable that carries the replica token, or says why it has none', () => {
    if (adapter.apiKey.env === null) expect(adapter.apiKey.reason.length).toBeGreaterThan(20);
    else expect(adapter.apiKey.env).toMatch(/^[A-Z_]+$/);
  });

  it('refuses raw settings that would choose the replica API key itself', () => {
    const { apiKey } = adapter;
    if (apiKey.env === null) return;
    const viaEnv = adapter.validate({ raw: { extraEnv: { [apiKey.env]: 'chosen' } } });
    expect(viaEnv.errors).toEqual([{ path: `/raw/extraEnv/${apiKey.env}`, message: expect.stringContaining('set by H-MAS') }]);
    const flag = apiKey.flag;
    if (flag === null || !adapter.raw.extraArgs) return;
    expect(adapter.validate({ raw: { extraArgs: [`${flag}=chosen`] } }).errors).toEqual([{ path: '/raw/extraArgs/0', message: expect.stringContaining(flag) }]);
    expect(() => adapter.render({ raw: { extraArgs: [flag, 'chosen'] } }, CTX)).toThrow(ValidationError);
  });
});
