import { describe, expect, it } from 'vitest';
import {
  checkOptimization,
  KNOB_KEYS,
  KNOBS,
  normalizeOptimization,
  optimizationSchema,
  PRESET_ID_PATTERN,
  TIER1_KNOBS,
  TIER2_KNOBS,
  type RuntimeDescriptor,
} from './optimization.js';

function messagesFor(input: unknown): string[] {
  const result = optimizationSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('optimizationSchema', () => {
  it('accepts every tier empty, and no tiers at all', () => {
    expect(messagesFor({})).toEqual([]);
    expect(messagesFor({ tier1: {}, tier2: {}, raw: {} })).toEqual([]);
  });

  it.each([
    [{ tier1: { gpuMemoryUtilization: 0 } }, 'tier1.gpuMemoryUtilization: gpuMemoryUtilization must be in (0, 1]: greater than 0.'],
    [{ tier1: { gpuMemoryUtilization: -0.5 } }, 'tier1.gpuMemoryUtilization: gpuMemoryUtilization must be in (0, 1]: greater than 0.'],
    [{ tier1: { gpuMemoryUtilization: 1.01 } }, 'tier1.gpuMemoryUtilization: gpuMemoryUtilization must be in (0, 1]: at most 1 (the whole GPU).'],
    [{ tier1: { gpuMemoryUtilization: '0.9' } }, 'tier1.gpuMemoryUtilization: gpuMemoryUtilization must be a number in (0, 1].'],
    [{ tier1: { maxModelLength: 0 } }, 'tier1.maxModelLength: maxModelLength must be a positive number of tokens.'],
    [{ tier1: { maxModelLength: 4096.5 } }, 'tier1.maxModelLength: maxModelLength must be a whole number of tokens.'],
    [{ tier1: { maxConcurrentSequences: 0 } }, 'tier1.maxConcurrentSequences: maxConcurrentSequences must be at least 1.'],
    [{ tier1: { dtype: 'fp64' } }, 'tier1.dtype: dtype must be one of auto, float16, bfloat16, float32.'],
    [{ tier1: { quantization: 'AWQ; rm -rf /' } }, 'tier1.quantization: quantization must be a lowercase identifier such as "awq" or "fp8".'],
    [{ tier2: { tensorParallelSize: 3 } }, 'tier2.tensorParallelSize: tensorParallelSize must be a power of two: 1, 2, 4, 8, 16, 32 or 64.'],
    [{ tier2: { tensorParallelSize: 6 } }, 'tier2.tensorParallelSize: tensorParallelSize must be a power of two: 1, 2, 4, 8, 16, 32 or 64.'],
    [{ tier2: { tensorParallelSize: 128 } }, 'tier2.tensorParallelSize: tensorParallelSize may be at most 64.'],
    [{ tier2: { tensorParallelSize: 0 } }, 'tier2.tensorParallelSize: tensorParallelSize must be at least 1.'],
    [{ tier2: { speculativeDecoding: { method: 'magic', numSpeculativeTokens: 4 } } }, 'tier2.speculativeDecoding.method: speculativeDecoding.method must be one of ngram, draft_model, eagle, eagle3, mtp, medusa.'],
    [{ tier2: { speculativeDecoding: { method: 'ngram', numSpeculativeTokens: 0 } } }, 'tier2.speculativeDecoding.numSpeculativeTokens: speculativeDecoding.numSpeculativeTokens must be at least 1.'],
    [{ tier2: { gpuLayers: 'most' } }, 'tier2.gpuLayers: gpuLayers must be a whole number from 0 to 1000, or "all".'],
    [{ tier2: { keepAlive: '5 minutes' } }, 'tier2.keepAlive: keepAlive must be a duration such as "5m", "1h30m", "300" (seconds), "0" or "-1" (forever).'],
    [{ raw: { extraArgs: ['--ok', 'two\nlines'] } }, 'raw.extraArgs.1: Each extraArgs entry must not contain NUL or line breaks.'],
    [{ raw: { extraArgs: ['nul\u0000byte'] } }, 'raw.extraArgs.0: Each extraArgs entry must not contain NUL or line breaks.'],
    [{ raw: { extraArgs: [''] } }, 'raw.extraArgs.0: Each extraArgs entry must not be empty.'],
    [{ raw: { extraArgs: Array.from({ length: 65 }, () => '--x') } }, 'raw.extraArgs: extraArgs may have at most 64 entries.'],
    [{ raw: { extraEnv: { 'BAD-NAME': '1' } } }, 'raw.extraEnv.BAD-NAME: Environment variable names use letters, digits and "_", and do not start with a digit.'],
    [{ raw: { extraEnv: { '1ST': '1' } } }, 'raw.extraEnv.1ST: Environment variable names use letters, digits and "_", and do not start with a digit.'],
    [{ tier1: { maxModelLen: 4096 } }, 'tier1: Unrecognized key: "maxModelLen"'],
  ])('refuses %j with a message that names the setting', (input, message) => {
    expect(messagesFor(input)).toContain(message);
  });

  it.each([1, 2, 4, 8, 16, 32, 64])('accepts tensorParallelSize %i', (size) => {
    expect(messagesFor({ tier2: { tensorParallelSize: size } })).toEqual([]);
  });

  it('accepts gpuMemoryUtilization of exactly 1 and just above 0', () => {
    expect(messagesFor({ tier1: { gpuMemoryUtilization: 1 } })).toEqual([]);
    expect(messagesFor({ tier1: { gpuMemoryUtilization: 0.01 } })).toEqual([]);
  });

  it('accepts an extra argument with spaces and shell syntax, since it is never given to a shell', () => {
    expect(messagesFor({ raw: { extraArgs: ['--chat-template', '{{ a }} ; rm -rf / && echo $HOME'] } })).toEqual([]);
  });

  it('accepts empty environment values', () => {
    expect(messagesFor({ raw: { extraEnv: { EMPTY: '' } } })).toEqual([]);
  });

  it.each(['5m', '1h30m', '300', '0', '-1', '90s', '1.5h'])('accepts keepAlive %s', (keepAlive) => {
    expect(messagesFor({ tier2: { keepAlive } })).toEqual([]);
  });
});

describe('knob catalog', () => {
  it('describes every knob of both tiers, in the tier its schema puts it', () => {
    expect(Object.keys(KNOBS).sort()).toEqual([...KNOB_KEYS].sort());
    for (const key of TIER1_KNOBS) expect(KNOBS[key].tier).toBe('tier1');
    for (const key of TIER2_KNOBS) expect(KNOBS[key].tier).toBe('tier2');
  });
});

describe('normalizeOptimization', () => {
  it('drops dtype auto, which every runtime does by default', () => {
    expect(normalizeOptimization({ tier1: { dtype: 'auto', maxModelLength: 8 } })).toEqual({ tier1: { maxModelLength: 8 } });
  });

  it('drops empty tiers and empty raw lists', () => {
    expect(normalizeOptimization({ tier1: {}, tier2: {}, raw: { extraArgs: [], extraEnv: {} } })).toEqual({});
  });
});

describe('checkOptimization', () => {
  const runtime: Pick<RuntimeDescriptor, 'displayName' | 'knobs' | 'unsupported' | 'conflicts'> = {
    displayName: 'Example',
    knobs: {
      tier1: [
        { key: 'dtype', label: 'dtype', description: '', type: 'enum', target: '--dtype', values: ['auto', 'float16'] },
        { key: 'quantization', label: 'quantization', description: '', type: 'enum', target: '--quantize', values: ['awq'] },
      ],
      tier2: [{ key: 'speculativeDecoding', label: 'speculative decoding', description: '', type: 'speculative', target: '--speculate', values: ['ngram'] }],
      raw: { extraArgs: false, extraEnv: true },
    },
    unsupported: [{ key: 'tensorParallelSize', message: 'Example has no tensor parallel.' }],
    conflicts: [{ knobs: ['quantization', 'dtype'], message: 'Example refuses dtype with quantization.' }],
  };

  it('reports a value outside the runtime’s list as an error naming the accepted values', () => {
    expect(checkOptimization({ tier1: { dtype: 'bfloat16' } }, runtime).errors).toEqual([
      { path: '/tier1/dtype', message: 'Example accepts dtype auto, float16; "bfloat16" is not one of them.' },
    ]);
  });

  it('checks the method of speculative decoding against the runtime’s list', () => {
    expect(checkOptimization({ tier2: { speculativeDecoding: { method: 'eagle', numSpeculativeTokens: 2 } } }, runtime).errors).toEqual([
      { path: '/tier2/speculativeDecoding/method', message: 'Example accepts speculative decoding method ngram; "eagle" is not one of them.' },
    ]);
  });

  it('reports knobs the runtime does not have as unsupported, with the runtime’s reason or a default one', () => {
    const { errors, unsupported } = checkOptimization({ tier2: { tensorParallelSize: 2, prefixCaching: true }, raw: { extraArgs: ['--x'] } }, runtime);
    expect(errors).toEqual([]);
    expect(unsupported).toEqual([
      { path: '/tier2/tensorParallelSize', message: 'Example has no tensor parallel.' },
      { path: '/tier2/prefixCaching', message: 'Example has no prefix caching setting.' },
      { path: '/raw/extraArgs', message: 'Example takes no command-line arguments; use extraEnv instead.' },
    ]);
  });

  it('reports knobs set together that the runtime refuses together', () => {
    expect(checkOptimization({ tier1: { dtype: 'float16', quantization: 'awq' } }, runtime).errors).toEqual([
      { path: '/tier1/dtype', message: 'Example refuses dtype with quantization.' },
    ]);
  });

  it('does not count dtype auto as set', () => {
    expect(checkOptimization({ tier1: { dtype: 'auto', quantization: 'awq' } }, runtime)).toEqual({ errors: [], unsupported: [] });
  });
});

describe('preset ids', () => {
  it.each(['3f1c4b5e-8a9d-4c2b-9e1f-0a1b2c3d4e5f', 'builtin:vllm:balanced', 'builtin:embedded-llamacpp:long-context'])('accepts %s', (id) => {
    expect(PRESET_ID_PATTERN.test(id)).toBe(true);
  });

  it.each(['not-a-uuid', 'builtin:vllm', 'builtin:vllm:balanced:extra', "builtin:vllm:balanced'--", 'BUILTIN:vllm:balanced', ''])('refuses %j', (id) => {
    expect(PRESET_ID_PATTERN.test(id)).toBe(false);
  });
});
