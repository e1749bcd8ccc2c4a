import type { Optimization, RuntimeId } from '../../domain/optimization.js';

export interface BuiltinPreset {
  runtime: RuntimeId;
  name: string;
  description: string;
  optimization: Optimization;
}

/**
 * Presets every installation has, read-only, with ids `builtin:<runtime>:<name>`. Starting
 * points, not benchmarks: an operator copies one and tunes it for their GPUs. A unit test checks
 * each one against its runtime, so none carries a knob its runtime does not have.
 */
export const BUILTIN_PRESETS: readonly BuiltinPreset[] = [
  {
    runtime: 'vllm',
    name: 'balanced',
    description: 'vLLM defaults made explicit: 90% of GPU memory, prefix caching and chunked prefill on.',
    optimization: { tier1: { gpuMemoryUtilization: 0.9 }, tier2: { prefixCaching: true, chunkedPrefill: true } },
  },
  {
    runtime: 'vllm',
    name: 'low-latency',
    description: 'Few concurrent sequences and small prefill chunks, so each request gets its tokens sooner.',
    optimization: { tier1: { gpuMemoryUtilization: 0.9, maxConcurrentSequences: 16 }, tier2: { prefixCaching: true, chunkedPrefill: true, maxBatchTokens: 2048 } },
  },
  {
    runtime: 'vllm',
    name: 'high-throughput',
    description: 'Large batches and 95% of GPU memory for the KV cache: the most tokens per second across many users.',
    optimization: {
      tier1: { gpuMemoryUtilization: 0.95, maxConcurrentSequences: 512 },
      tier2: { prefixCaching: true, chunkedPrefill: true, maxBatchTokens: 16384 },
    },
  },
  {
    runtime: 'vllm',
    name: 'long-context',
    description: '128k-token sequences with an FP8 KV cache and few concurrent sequences.',
    optimization: {
      tier1: { maxModelLength: 131072, gpuMemoryUtilization: 0.95, maxConcurrentSequences: 8 },
      tier2: { chunkedPrefill: true, kvCacheDtype: 'fp8' },
    },
  },
  {
    runtime: 'tgi',
    name: 'balanced',
    description: 'TGI’s default of 128 concurrent requests, made explicit.',
    optimization: { tier1: { maxConcurrentSequences: 128 } },
  },
  {
    runtime: 'tgi',
    name: 'low-latency',
    description: 'Fewer concurrent requests and smaller prefill batches (4k-token sequences).',
    optimization: { tier1: { maxModelLength: 4096, maxConcurrentSequences: 32 }, tier2: { maxBatchTokens: 4096 } },
  },
  {
    runtime: 'tgi',
    name: 'high-throughput',
    description: 'Many concurrent requests and large prefill batches (8k-token sequences).',
    optimization: { tier1: { maxModelLength: 8192, maxConcurrentSequences: 512 }, tier2: { maxBatchTokens: 32768 } },
  },
  {
    runtime: 'tgi',
    name: 'long-context',
    description: '32k-token sequences with an FP8 KV cache.',
    optimization: { tier1: { maxModelLength: 32768, maxConcurrentSequences: 32 }, tier2: { kvCacheDtype: 'fp8_e5m2', maxBatchTokens: 32768 } },
  },
  {
    runtime: 'tei',
    name: 'balanced',
    description: 'TEI’s defaults made explicit: 512 concurrent requests, 16384 tokens per batch.',
    optimization: { tier1: { maxConcurrentSequences: 512 }, tier2: { maxBatchTokens: 16384 } },
  },
  {
    runtime: 'tei',
    name: 'low-latency',
    description: 'Small batches, so single queries return quickly.',
    optimization: { tier1: { maxConcurrentSequences: 128 }, tier2: { maxBatchTokens: 4096 } },
  },
  {
    runtime: 'tei',
    name: 'high-throughput',
    description: 'Large batches for bulk indexing.',
    optimization: { tier1: { maxConcurrentSequences: 2048 }, tier2: { maxBatchTokens: 65536 } },
  },
  {
    runtime: 'llamacpp',
    name: 'balanced',
    description: 'Four slots of 8k tokens, every layer on the GPU, flash attention on.',
    optimization: { tier1: { maxModelLength: 8192, maxConcurrentSequences: 4 }, tier2: { gpuLayers: 'all', flashAttention: true } },
  },
  {
    runtime: 'llamacpp',
    name: 'low-latency',
    description: 'One slot with the whole GPU.',
    optimization: { tier1: { maxModelLength: 8192, maxConcurrentSequences: 1 }, tier2: { gpuLayers: 'all', flashAttention: true } },
  },
  {
    runtime: 'llamacpp',
    name: 'high-throughput',
    description: 'Sixteen slots of 4k tokens with an 8-bit KV cache.',
    optimization: {
      tier1: { maxModelLength: 4096, maxConcurrentSequences: 16 },
      tier2: { gpuLayers: 'all', flashAttention: true, kvCacheDtype: 'q8_0', maxBatchTokens: 4096 },
    },
  },
  {
    runtime: 'llamacpp',
    name: 'long-context',
    description: 'One slot of 32k tokens with an 8-bit KV cache.',
    optimization: { tier1: { maxModelLength: 32768, maxConcurrentSequences: 1 }, tier2: { gpuLayers: 'all', flashAttention: true, kvCacheDtype: 'q8_0' } },
  },
  {
    runtime: 'ollama',
    name: 'balanced',
    description: 'Four parallel requests, flash attention on, models kept loaded for 30 minutes.',
    optimization: { tier1: { maxConcurrentSequences: 4 }, tier2: { flashAttention: true, keepAlive: '30m' } },
  },
  {
    runtime: 'ollama',
    name: 'low-latency',
    description: 'One request at a time and the model never unloaded, so no request waits for a load.',
    optimization: { tier1: { maxConcurrentSequences: 1 }, tier2: { flashAttention: true, keepAlive: '-1' } },
  },
  {
    runtime: 'ollama',
    name: 'high-throughput',
    description: 'Eight parallel requests with an 8-bit KV cache, model never unloaded.',
    optimization: { tier1: { maxConcurrentSequences: 8 }, tier2: { flashAttention: true, kvCacheDtype: 'q8_0', keepAlive: '-1' } },
  },
  {
    runtime: 'ollama',
    name: 'long-context',
    description: '32k-token context with an 8-bit KV cache.',
    optimization: { tier1: { maxModelLength: 32768, maxConcurrentSequences: 1 }, tier2: { flashAttention: true, kvCacheDtype: 'q8_0' } },
  },
  {
    runtime: 'embedded-llamacpp',
    name: 'balanced',
    description: 'Two slots of 4k tokens.',
    optimization: { tier1: { maxModelLength: 4096, maxConcurrentSequences: 2 } },
  },
  {
    runtime: 'embedded-llamacpp',
    name: 'low-latency',
    description: 'One slot of 4k tokens.',
    optimization: { tier1: { maxModelLength: 4096, maxConcurrentSequences: 1 } },
  },
  {
    runtime: 'embedded-llamacpp',
    name: 'long-context',
    description: 'One slot of 16k tokens.',
    optimization: { tier1: { maxModelLength: 16384, maxConcurrentSequences: 1 } },
  },
];

export function builtinPresetId(runtime: RuntimeId, name: string): string {
  return `builtin:${runtime}:${name}`;
}
