import { describe, expect, it } from 'vitest';
import type { ModelArchitecture } from './model.js';
import { bytesPerParameter, checkFit, isValidTensorParallelSize, kvCacheBytesPerToken, normalizeDtype, recommendResources, type ModelFacts } from './resource-fit.js';

const GiB = 1024 ** 3;
const arch = (parts: Partial<ModelArchitecture>): ModelArchitecture => ({
  name: null,
  numLayers: null,
  numAttentionHeads: null,
  numKeyValueHeads: null,
  headDim: null,
  hiddenSize: null,
  kvLatentDim: null,
  ...parts,
});

// Real shapes from the models' config.json files.
const LLAMA_70B: ModelFacts = {
  name: 'Llama-3.1-70B-Instruct',
  parameterCount: 70_553_706_496,
  dtype: 'bfloat16',
  contextLength: 131_072,
  architecture: arch({ numLayers: 80, numAttentionHeads: 64, numKeyValueHeads: 8, hiddenSize: 8192 }),
};
const QWEN_7B: ModelFacts = {
  name: 'Qwen2.5-7B-Instruct',
  parameterCount: 7_615_616_512,
  dtype: 'bfloat16',
  contextLength: 32_768,
  architecture: arch({ numLayers: 28, numAttentionHeads: 28, numKeyValueHeads: 4, hiddenSize: 3584 }),
};
const QWEN_05B: ModelFacts = {
  name: 'Qwen2.5-0.5B-Instruct',
  parameterCount: 494_032_768,
  dtype: 'bfloat16',
  contextLength: 32_768,
  architecture: arch({ numLayers: 24, numAttentionHeads: 14, numKeyValueHeads: 2, hiddenSize: 896 }),
};
const DEEPSEEK_V3: ModelFacts = {
  name: 'DeepSeek-V3',
  parameterCount: 684_531_386_000,
  dtype: 'float8',
  contextLength: 163_840,
  architecture: arch({ numLayers: 61, numAttentionHeads: 128, numKeyValueHeads: 128, kvLatentDim: 576 }),
};

interface Row {
  case: string;
  model: ModelFacts;
  gpuMemoryGiB: number;
  options?: { dtype?: string; contextLength?: number; concurrency?: number };
  weightsBytes: number;
  kvCacheBytes: number;
  gpusNeeded: number | null;
  tensorParallelSize: number | null;
  memoryPerGpuGiB: number | null;
}

// Worked by hand. Per GPU: memory × 0.9 − 2 GiB (80 GiB → 70 GiB, 40 → 34, 16 → 12.4, 8 → 5.2).
// KV per token: 2 × layers × KV heads × head size × 2 bytes (70B: 327,680; 7B: 57,344; 0.5B: 12,288).
// Default context min(model, 8192) × 4 sequences = 32,768 tokens.
const ROWS: Row[] = [
  {
    // 141.1 GB = 131.42 GiB of weights + 10 GiB KV = 141.42 GiB over 70 GiB → 3 GPUs; TP 3 is
    // not a power of two, TP 4 divides 64 heads and 8 KV heads → 4 GPUs of 141.42/4 + 2 = 37.35 GiB.
    case: '70B bf16 on 80 GiB GPUs: 3 by memory, tensor parallel 4',
    model: LLAMA_70B,
    gpuMemoryGiB: 80,
    weightsBytes: 141_107_412_992,
    kvCacheBytes: 327_680 * 32_768,
    gpusNeeded: 3,
    tensorParallelSize: 4,
    memoryPerGpuGiB: 37.35,
  },
  {
    // One sequence: 131.42 + 2.5 = 133.92 GiB → 2 GPUs of 66.96 + 2 = 68.96 GiB.
    case: '70B bf16 on 80 GiB GPUs serving one 8k sequence: 2 GPUs',
    model: LLAMA_70B,
    gpuMemoryGiB: 80,
    options: { concurrency: 1 },
    weightsBytes: 141_107_412_992,
    kvCacheBytes: 327_680 * 8192,
    gpusNeeded: 2,
    tensorParallelSize: 2,
    memoryPerGpuGiB: 68.96,
  },
  {
    // 141.42 GiB over 34 GiB → 5 GPUs → TP 8, 141.42/8 + 2 = 19.68 GiB.
    case: '70B bf16 on 40 GiB GPUs: 5 by memory, tensor parallel 8',
    model: LLAMA_70B,
    gpuMemoryGiB: 40,
    weightsBytes: 141_107_412_992,
    kvCacheBytes: 327_680 * 32_768,
    gpusNeeded: 5,
    tensorParallelSize: 8,
    memoryPerGpuGiB: 19.68,
  },
  {
    // 141.42 GiB over 12.4 GiB → 12 → TP 16 divides 64 heads; 8 KV heads each replicated twice.
    case: '70B bf16 on 16 GiB GPUs: tensor parallel 16 replicates the 8 KV heads',
    model: LLAMA_70B,
    gpuMemoryGiB: 16,
    weightsBytes: 141_107_412_992,
    kvCacheBytes: 327_680 * 32_768,
    gpusNeeded: 12,
    tensorParallelSize: 16,
    memoryPerGpuGiB: 10.84,
  },
  {
    // fp8 weights: 70.55 GB = 65.71 GiB + 10 GiB = 75.71 GiB → 2 GPUs of 37.85 + 2 = 39.85 GiB.
    case: '70B served in fp8 on 80 GiB GPUs: 2 GPUs',
    model: LLAMA_70B,
    gpuMemoryGiB: 80,
    options: { dtype: 'fp8' },
    weightsBytes: 70_553_706_496,
    kvCacheBytes: 327_680 * 32_768,
    gpusNeeded: 2,
    tensorParallelSize: 2,
    memoryPerGpuGiB: 39.85,
  },
  {
    // 15.23 GB = 14.19 GiB + 1.75 GiB = 15.94 GiB over 12.4 GiB → 2 GPUs of 7.97 + 2 = 9.97 GiB.
    case: '7B bf16 on 16 GiB GPUs: 2 GPUs',
    model: QWEN_7B,
    gpuMemoryGiB: 16,
    weightsBytes: 15_231_233_024,
    kvCacheBytes: 57_344 * 32_768,
    gpusNeeded: 2,
    tensorParallelSize: 2,
    memoryPerGpuGiB: 9.97,
  },
  {
    // 15.94 GiB over 5.2 GiB → 4 GPUs; 28 heads and 4 KV heads both divide by 4.
    case: '7B bf16 on 8 GiB GPUs: 4 GPUs',
    model: QWEN_7B,
    gpuMemoryGiB: 8,
    weightsBytes: 15_231_233_024,
    kvCacheBytes: 57_344 * 32_768,
    gpusNeeded: 4,
    tensorParallelSize: 4,
    memoryPerGpuGiB: 5.98,
  },
  {
    // 15.94 GiB over 1.6 GiB → 10 GPUs; 16, 32 and 64 do not divide 28 heads: no TP size.
    case: '7B bf16 on 4 GiB GPUs: no tensor-parallel size divides 28 heads',
    model: QWEN_7B,
    gpuMemoryGiB: 4,
    weightsBytes: 15_231_233_024,
    kvCacheBytes: 57_344 * 32_768,
    gpusNeeded: 10,
    tensorParallelSize: null,
    memoryPerGpuGiB: 3.59,
  },
  {
    // 0.99 GB of weights + 0.375 GiB of KV: one GPU, 0.92 + 0.375 + 2 = 3.30 GiB.
    case: '0.5B bf16 on an 80 GiB GPU: 1 GPU',
    model: QWEN_05B,
    gpuMemoryGiB: 80,
    weightsBytes: 988_065_536,
    kvCacheBytes: 12_288 * 32_768,
    gpusNeeded: 1,
    tensorParallelSize: 1,
    memoryPerGpuGiB: 3.3,
  },
  {
    // 0.92 + 0.375 = 1.295 GiB over 0.7 GiB (3 GiB × 0.9 − 2) → 2 GPUs; 14 heads and 2 KV heads divide by 2.
    case: '0.5B bf16 on 3 GiB GPUs: 2 GPUs',
    model: QWEN_05B,
    gpuMemoryGiB: 3,
    weightsBytes: 988_065_536,
    kvCacheBytes: 12_288 * 32_768,
    gpusNeeded: 2,
    tensorParallelSize: 2,
    memoryPerGpuGiB: 2.65,
  },
  {
    // 0.5 GiB usable → 3 GPUs; 4 does not divide 14 heads: no TP size.
    case: '0.5B bf16 on 2.78 GiB GPUs: 14 heads allow no tensor parallel 4',
    model: QWEN_05B,
    gpuMemoryGiB: 2.7777777777777777,
    weightsBytes: 988_065_536,
    kvCacheBytes: 12_288 * 32_768,
    gpusNeeded: 3,
    tensorParallelSize: null,
    memoryPerGpuGiB: 2.43,
  },
  {
    // A GPU smaller than the overhead holds nothing.
    case: '0.5B on a 2 GiB GPU: no room after the runtime overhead',
    model: QWEN_05B,
    gpuMemoryGiB: 2,
    weightsBytes: 988_065_536,
    kvCacheBytes: 12_288 * 32_768,
    gpusNeeded: null,
    tensorParallelSize: null,
    memoryPerGpuGiB: null,
  },
  {
    // 684.5 GB fp8 = 637.52 GiB; MLA caches 61 × 576 × 2 = 70,272 bytes a token → 2.14 GiB;
    // 639.66 GiB over 124.9 GiB (141 GiB H200) → 6 → TP 8 (128 heads).
    case: 'DeepSeek-V3 fp8 with latent attention on 141 GiB GPUs: tensor parallel 8',
    model: DEEPSEEK_V3,
    gpuMemoryGiB: 141,
    weightsBytes: 684_531_386_000,
    kvCacheBytes: 70_272 * 32_768,
    gpusNeeded: 6,
    tensorParallelSize: 8,
    memoryPerGpuGiB: 81.96,
  },
];

describe('recommendResources', () => {
  it.each(ROWS)('$case', (row) => {
    const result = recommendResources(row.model, { gpuMemoryGiB: row.gpuMemoryGiB, ...row.options })!;
    expect(result.weightsBytes).toBe(row.weightsBytes);
    expect(result.kvCacheBytes).toBe(row.kvCacheBytes);
    expect(result.kvCacheBasis).toBe('architecture');
    expect(result.gpusNeeded).toBe(row.gpusNeeded);
    expect(result.tensorParallelSize).toBe(row.tensorParallelSize);
    expect(result.memoryPerGpuGiB).toBe(row.memoryPerGpuGiB);
    expect(result.gpuCount).toBe(row.tensorParallelSize ?? row.gpusNeeded);
  });

  it('spells out the numbers for the 70B case', () => {
    const result = recommendResources(LLAMA_70B, { gpuMemoryGiB: 80 })!;
    expect(result).toMatchObject({
      weightsGiB: 131.42,
      kvCacheGiB: 10,
      kvCacheBytesPerToken: 327_680,
      usableBytesPerGpu: 70 * GiB,
      totalGpuMemoryGiB: 149.42,
      assumptions: { dtype: 'bfloat16', bytesPerParameter: 2, contextLength: 8192, concurrency: 4, gpuMemoryUtilization: 0.9, runtimeOverheadGiB: 2 },
    });
    expect(result.message).toBe(
      'Llama-3.1-70B-Instruct needs 131.42 GiB for bfloat16 weights and 10 GiB of KV cache (8,192 tokens × 4 sequences): ' +
        '3 × 80 GiB GPUs by memory, rounded up to tensor parallel 4 (a power of two dividing the 64 attention heads, compatible with 8 KV heads) → 4 GPUs, 37.35 GiB each.',
    );
  });

  it('says why there is no tensor-parallel size', () => {
    const result = recommendResources(QWEN_7B, { gpuMemoryGiB: 4 })!;
    expect(result.message).toContain('no tensor-parallel size of at least 10 is a power of two dividing the 28 attention heads');
  });

  it('takes the context and concurrency it is given', () => {
    const result = recommendResources(QWEN_7B, { gpuMemoryGiB: 80, contextLength: 32_768, concurrency: 16 })!;
    expect(result.kvCacheBytes).toBe(57_344 * 32_768 * 16);
    expect(result.kvCacheGiB).toBe(28);
  });

  it('uses the exact tensor bytes of a GGUF file unless another dtype is asked for', () => {
    const gguf: ModelFacts = { ...QWEN_05B, dtype: 'Q4_K_M', weightBytes: 485_452_288, parameterCount: 630_167_424 };
    const asFile = recommendResources(gguf, { gpuMemoryGiB: 24 })!;
    expect(asFile.weightsBytes).toBe(485_452_288);
    expect(asFile.weightsBasis).toBe('file');
    const asF16 = recommendResources(gguf, { gpuMemoryGiB: 24, dtype: 'F16' })!;
    expect(asF16.weightsBytes).toBe(630_167_424 * 2);
    expect(asF16.weightsBasis).toBe('parameters');
  });

  it('prices GGUF quantizations by bits per weight', () => {
    const q4 = recommendResources({ parameterCount: 8_030_261_248, dtype: 'Q4_K_M' }, { gpuMemoryGiB: 24 })!;
    // 4.9 bits per weight: 8.03e9 × 4.9 / 8 = 4.92 GB, the size of Llama-3-8B's Q4_K_M file.
    expect(q4.weightsBytes).toBe(Math.round(8_030_261_248 * (4.9 / 8)));
    const q8 = recommendResources({ parameterCount: 8_030_261_248, dtype: 'Q8_0' }, { gpuMemoryGiB: 24 })!;
    expect(q8.weightsBytes).toBe(Math.round(8_030_261_248 * (34 / 32)));
  });

  it('estimates the KV cache from the weights when the architecture is unknown, and says so', () => {
    const result = recommendResources({ name: 'mystery-7b', sizeB: 7 }, { gpuMemoryGiB: 80 })!;
    expect(result.weightsBytes).toBe(14e9);
    expect(result.kvCacheBytes).toBe(2.8e9);
    expect(result.kvCacheBasis).toBe('estimate');
    expect(result.kvCacheBytesPerToken).toBeNull();
    expect(result.assumptions.dtype).toBe('bfloat16');
    expect(result.tensorParallelSize).toBe(1);
    expect(result.message).toContain('the architecture is unknown');
  });

  it('answers null when the size is unknown', () => {
    expect(recommendResources({ name: 'no-size' }, { gpuMemoryGiB: 80 })).toBeNull();
  });
});

describe('tensor parallel and KV helpers', () => {
  it.each([
    [1, true],
    [2, true],
    [4, true],
    [8, true],
    [16, true],
    [3, false],
    [6, false],
    [32, true],
    [128, false],
  ])('TP %i for 64 heads and 8 KV heads valid: %s', (size, valid) => {
    expect(isValidTensorParallelSize(size, arch({ numAttentionHeads: 64, numKeyValueHeads: 8 }))).toBe(valid);
  });

  it('refuses a size that neither divides nor is divided by the KV heads', () => {
    // 48 heads and 12 KV heads: 8 divides neither 12 nor is divided by it.
    expect(isValidTensorParallelSize(8, arch({ numAttentionHeads: 48, numKeyValueHeads: 12 }))).toBe(false);
    expect(isValidTensorParallelSize(4, arch({ numAttentionHeads: 48, numKeyValueHeads: 12 }))).toBe(true);
  });

  it('derives the head size from hidden size and heads, and KV heads from heads', () => {
    expect(kvCacheBytesPerToken(arch({ numLayers: 32, numAttentionHeads: 32, hiddenSize: 4096 }), 2)).toBe(2 * 32 * 32 * 128 * 2);
    expect(kvCacheBytesPerToken(arch({ numLayers: 62, numAttentionHeads: 32, numKeyValueHeads: 16, headDim: 128, hiddenSize: 5376 }), 2)).toBe(2 * 62 * 16 * 128 * 2);
    expect(kvCacheBytesPerToken(arch({ numAttentionHeads: 32 }), 2)).toBeNull();
  });

  it('normalizes dtype spellings', () => {
    expect(normalizeDtype('BF16')).toBe('BF16');
    expect(normalizeDtype('bf16')).toBe('bfloat16');
    expect(normalizeDtype('torch.float16'.replace('torch.', ''))).toBe('float16');
    expect(normalizeDtype('q4_k_m')).toBe('Q4_K_M');
    expect(normalizeDtype('F8_E4M3')).toBe('float8');
    expect(normalizeDtype('nonsense')).toBeUndefined();
    expect(bytesPerParameter('int4')).toBe(0.5);
  });
});

describe('checkFit', () => {
  it.each([
    { case: 'one replica on a node with 8 free GPUs', nodes: [8], replicas: 1, fits: true, placeable: 2, placement: [{ node: 0, replicas: 1, gpus: 4 }] },
    { case: 'two replicas on one 8-GPU node', nodes: [8], replicas: 2, fits: true, placeable: 2, placement: [{ node: 0, replicas: 2, gpus: 8 }] },
    { case: 'three replicas on one 8-GPU node', nodes: [8], replicas: 3, fits: false, placeable: 2, placement: [{ node: 0, replicas: 2, gpus: 8 }] },
    { case: 'two replicas over two 4-GPU nodes', nodes: [4, 4], replicas: 2, fits: true, placeable: 2, placement: [{ node: 0, replicas: 1, gpus: 4 }, { node: 1, replicas: 1, gpus: 4 }] },
    { case: 'eight free GPUs spread two per node', nodes: [2, 2, 2, 2], replicas: 1, fits: false, placeable: 0, placement: [] },
    { case: 'a node with 6 free GPUs and one with 3', nodes: [3, 6], replicas: 1, fits: true, placeable: 1, placement: [{ node: 1, replicas: 1, gpus: 4 }] },
  ])('70B bf16 on 80 GiB GPUs (TP 4): $case', ({ nodes, replicas, fits, placeable, placement }) => {
    const result = checkFit(LLAMA_70B, { gpuMemoryGiB: 80, gpusPerNode: nodes, replicas })!;
    expect(result.fits).toBe(fits);
    expect(result.gpusPerReplica).toBe(4);
    expect(result.gpusRequired).toBe(4 * replicas);
    expect(result.placeableReplicas).toBe(placeable);
    expect(result.placement).toEqual(placement);
  });

  it('explains a miss caused by no node having enough GPUs', () => {
    const result = checkFit(LLAMA_70B, { gpuMemoryGiB: 80, gpusPerNode: [2, 2, 2, 2], replicas: 1 })!;
    expect(result.message).toBe('Does not fit: one replica needs 4 GPUs on one node (tensor parallel), and the node with the most free GPUs has 2.');
  });

  it('explains a fit with the GPUs left over', () => {
    const result = checkFit(LLAMA_70B, { gpuMemoryGiB: 80, gpusPerNode: [8, 8], replicas: 3 })!;
    expect(result.fits).toBe(true);
    expect(result.message).toBe('Fits: 3 replicas × 4 GPUs (37.35 GiB each) on 2 nodes, 4 of 16 free GPUs left.');
  });

  it('never fits a model without a tensor-parallel size', () => {
    const result = checkFit(QWEN_7B, { gpuMemoryGiB: 4, gpusPerNode: [64], replicas: 1 })!;
    expect(result.fits).toBe(false);
    expect(result.message).toMatch(/^Does not fit: .*no tensor-parallel size/);
  });
});

describe('serving dtype', () => {
  it('counts a float32 checkpoint as float16, as vLLM and TGI serve it, unless float32 is asked for', () => {
    const bge = { parameterCount: 567_754_752, dtype: 'float32', contextLength: 8192 };
    expect(recommendResources(bge, { gpuMemoryGiB: 24 })!.weightsBytes).toBe(567_754_752 * 2);
    expect(recommendResources(bge, { gpuMemoryGiB: 24, dtype: 'float32' })!.weightsBytes).toBe(567_754_752 * 4);
  });
});
