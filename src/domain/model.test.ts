import { describe, expect, it } from 'vitest';
import { createModelSchema, displaySizeFor, fitQuerySchema, formatParameterCount, hfRepoIdSchema, parseSizeFromName } from './model.js';

describe('parseSizeFromName', () => {
  it.each([
    ['Qwen2.5-0.5B-Instruct', '0.5B', 0.5],
    ['Qwen2.5-1.5B', '1.5B', 1.5],
    ['Llama-3.1-70B-Instruct', '70B', 70],
    ['e5-mistral-7b-instruct', '7B', 7],
    ['gemma-2-9b-it', '9B', 9],
    ['Qwen3-30B-A3B', '30B', 30],
    ['Qwen3-235B-A22B', '235B', 235],
    ['SmolLM2-135M-Instruct', '135M', 0.135],
    ['Mixtral-8x7B-Instruct-v0.1', '8x7B', 56],
    ['Mixtral-8x22B-v0.1', '8x22B', 176],
    ['qwen2.5-0.5b-instruct-q4_k_m.gguf', '0.5B', 0.5],
  ])('reads %s as %s', (name, label, sizeB) => {
    expect(parseSizeFromName(name)).toEqual({ label, sizeB });
  });

  it.each(['bge-m3', 'phi-4', 'Qwen2.5', 'gpt2', 'all-MiniLM-L6-v2', 'e5-large-v2', 'T5'])('finds no size in %s', (name) => {
    expect(parseSizeFromName(name)).toBeNull();
  });
});

describe('formatParameterCount (llama.cpp size labels)', () => {
  it.each([
    [494_032_768, '494M'],
    [630_167_424, '630M'],
    [500_000_000, '500M'],
    [1_543_714_304, '1.5B'],
    [7_615_616_512, '7.6B'],
    [70_553_706_496, '71B'],
    [684_531_386_000, '685B'],
    [1_026_408_235_864, '1.0T'],
    [22_713_216, '23M'],
    // Exactly one billion is 1.0B, not 1000M.
    [1_000_000_000, '1.0B'],
    [1_000_000, '1.0M'],
  ])('%i → %s', (count, label) => {
    expect(formatParameterCount(count)).toBe(label);
  });
});

describe('displaySizeFor', () => {
  it.each([
    { sizeB: 70.553706, name: 'Llama-3.1-70B-Instruct', display: '70B' },
    { sizeB: 72.706204, name: 'Qwen2.5-72B-Instruct', display: '72B' },
    { sizeB: 0.494033, name: 'Qwen2.5-0.5B-Instruct', display: '500M' },
    { sizeB: 1.543714, name: 'Qwen2.5-1.5B-Instruct', display: '1.5B' },
    { sizeB: 8.291376, name: 'Qwen2-VL-7B-Instruct', display: '7B' },
    { sizeB: 46.702793, name: 'Mixtral-8x7B-Instruct-v0.1', display: '8x7B' },
    // The name disagrees with the count (a pruned or merged model): the count wins.
    { sizeB: 3.2, name: 'pruned-70B', display: '3.2B' },
    { sizeB: 0.567755, name: 'bge-m3', display: '568M' },
    { sizeB: null, name: 'Qwen2.5-7B', display: '7B' },
    { sizeB: null, name: 'bge-m3', display: null },
  ])('$name with sizeB $sizeB → $display', ({ sizeB, name, display }) => {
    expect(displaySizeFor(sizeB, name)).toBe(display);
  });
});

describe('model input schemas', () => {
  it('accepts one source only', () => {
    expect(createModelSchema.safeParse({ name: 'x', hfRepoId: 'a/b' }).success).toBe(true);
    expect(createModelSchema.safeParse({ localPath: '/models/x.gguf' }).success).toBe(true);
    expect(createModelSchema.safeParse({ name: 'x' }).success).toBe(false);
    expect(createModelSchema.safeParse({ name: 'x', hfRepoId: 'a/b', localPath: '/models/x.gguf' }).success).toBe(false);
    expect(createModelSchema.safeParse({ localPath: 'models/x.gguf' }).success).toBe(false);
    expect(createModelSchema.safeParse({ localPath: '/models/x.safetensors' }).success).toBe(false);
    expect(createModelSchema.safeParse({ localPath: '/models/x.gguf', revision: 'main' }).success).toBe(false);
  });

  it.each(['Qwen/Qwen2.5-0.5B-Instruct', 'meta-llama/Llama-3.1-70B-Instruct', 'BAAI/bge-m3'])('accepts repo id %s', (id) => {
    expect(hfRepoIdSchema.safeParse(id).success).toBe(true);
  });
  it.each(['Qwen2.5-0.5B', 'a/b/c', '../etc/passwd', 'org/..', 'org/na me', '/x', 'a/'])('refuses repo id %s', (id) => {
    expect(hfRepoIdSchema.safeParse(id).success).toBe(false);
  });

  it('reads free GPUs per node from a comma-separated list', () => {
    expect(fitQuerySchema.parse({ gpuMemoryGiB: '80', freeGpus: '8,4,4' })).toMatchObject({ gpuMemoryGiB: 80, freeGpus: [8, 4, 4], replicas: 1 });
    expect(fitQuerySchema.safeParse({ gpuMemoryGiB: '80', freeGpus: '8,,4' }).success).toBe(false);
    expect(fitQuerySchema.safeParse({ gpuMemoryGiB: '80', freeGpus: '8', dtype: 'fp7' }).success).toBe(false);
  });
});
