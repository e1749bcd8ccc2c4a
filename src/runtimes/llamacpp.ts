import type { Optimization, OptimizationIssue } from '../domain/optimization.js';
import { defineRuntime, flag, routes, toggle } from './define-runtime.js';
import { counter, gaugeAvg, gaugeSum, missing } from './metric-sources.js';

// llama-server arguments and API: https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md
const LLAMA_SERVER = 'https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md';
export const LLAMACPP_CACHE_TYPES = ['f32', 'f16', 'bf16', 'q8_0', 'q4_0', 'q4_1', 'iq4_nl', 'q5_0', 'q5_1'] as const;
export const LLAMACPP_POOLING = ['none', 'mean', 'cls', 'last', 'rank'] as const;

const UNQUANTIZED_CACHE = new Set(['f32', 'f16', 'bf16']);

/**
 * llama.cpp gives each of the `--parallel` slots an equal share of `--ctx-size`, so the total is
 * the per-sequence length times the slots: maxModelLength stays what one request may use.
 */
export function llamaContextSize(optimization: Optimization, length: number): number {
  return length * (optimization.tier1?.maxConcurrentSequences ?? 1);
}

/** A quantized V cache needs flash attention in llama.cpp (and in Ollama, which runs it). */
export function quantizedCacheWithoutFlashAttention(optimization: Optimization, runtime: string): OptimizationIssue[] {
  const cache = optimization.tier2?.kvCacheDtype;
  if (cache !== undefined && !UNQUANTIZED_CACHE.has(cache) && optimization.tier2?.flashAttention === false) {
    return [{ path: '/tier2/kvCacheDtype', message: `${runtime} quantizes the KV cache (${cache}) only with flash attention; turn flashAttention on or leave it unset.` }];
  }
  return [];
}

export const llamacpp = defineRuntime({
  id: 'llamacpp',
  displayName: 'llama.cpp',
  workloads: ['generate', 'embed'],
  // The image's entrypoint is /app/llama-server; the rendered args follow it.
  image: { repository: 'ghcr.io/ggml-org/llama.cpp', tag: 'server-cuda' },
  command: { host: ['llama-server'], container: null },
  port: 8080,
  healthPath: '/health',
  metricsPath: '/metrics',
  // Metric names: "GET /metrics" in https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md
  // and tools/server/server.cpp (the `llamacpp:` prefix; needs --metrics, which H-MAS always passes).
  servingMetrics: {
    docs: ['https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md#get-metrics-prometheus-compatible-metrics-exporter', 'https://github.com/ggml-org/llama.cpp/blob/master/tools/server/server.cpp'],
    fields: {
      requestsPerSecond: missing("llama-server counts tokens, not requests; the gateway's requests/s counts them."),
      errorsPerSecond: missing("llama-server counts no failed requests; the gateway's errors/s counts them."),
      generatedTokensPerSecond: counter('llamacpp:tokens_predicted_total'),
      promptTokensPerSecond: counter('llamacpp:prompt_tokens_total'),
      ttftSeconds: missing("llama-server exports no latency histograms; the gateway's time to first byte is the nearest."),
      e2eLatencySeconds: missing("llama-server exports no latency histograms; the gateway's latency covers it."),
      interTokenLatencySeconds: missing('llama-server exports no latency histograms, only mean throughput gauges.'),
      runningRequests: gaugeSum('llamacpp:requests_processing'),
      waitingRequests: gaugeSum('llamacpp:requests_deferred'),
      kvCacheUsage: gaugeAvg('llamacpp:kv_cache_usage_ratio'),
    },
  },
  openaiBasePath: '/v1',
  supportsIncludeUsage: true,
  supportedFormats: ['gguf'],
  // Never /slots (save, restore and erase write the host's files), /props (POST changes the
  // server), /lora-adapters, /metrics or /health.
  inferenceRoutes: [
    ...routes('POST', LLAMA_SERVER, '/completion', '/completions', '/v1/completions', '/chat/completions', '/v1/chat/completions', '/infill'),
    ...routes('POST', LLAMA_SERVER, '/embedding', '/embeddings', '/v1/embeddings', '/rerank', '/reranking', '/v1/rerank', '/v1/reranking'),
    ...routes('POST', LLAMA_SERVER, '/tokenize', '/detokenize', '/apply-template'),
    ...routes('GET', LLAMA_SERVER, '/models', '/v1/models'),
  ],
  // llama-server leaves /health and /models open whatever the key; the driver sends it anyway.
  apiKey: { env: 'LLAMA_API_KEY', flag: '--api-key', doc: LLAMA_SERVER },
  docs: [LLAMA_SERVER],
  // Every llama-server flag has a LLAMA_ARG_ variable ("(env: LLAMA_ARG_…)" in the server README);
  // the ggml backends read GGML_ variables, and -hf downloads go to LLAMA_CACHE.
  env: {
    variables: ['LLAMA_ARG_*', 'LLAMA_LOG_*', 'LLAMA_CACHE', 'GGML_*'],
    reserved: ['LLAMA_ARG_HOST', 'LLAMA_ARG_PORT', 'LLAMA_API_KEY', 'LLAMA_ARG_API_KEY', 'LLAMA_ARG_API_KEY_FILE'],
    docs: ['https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md', 'https://github.com/ggml-org/llama.cpp/blob/master/docs/build.md'],
  },
  base: (context) => ({
    args: [
      '--model',
      context.model,
      '--host',
      context.host,
      '--port',
      String(context.port),
      // /metrics is off unless asked for; H-MAS always scrapes it.
      '--metrics',
      ...(context.servedModelName ? ['--alias', context.servedModelName] : []),
    ],
    env: {},
  }),
  knobs: {
    maxModelLength: {
      target: '--ctx-size (maxModelLength × parallel slots)',
      render: (length, optimization) => ({ args: ['--ctx-size', String(llamaContextSize(optimization, length))] }),
    },
    maxConcurrentSequences: flag('--parallel'),
    prefixCaching: toggle('--cache-prompt', '--no-cache-prompt'),
    speculativeDecoding: {
      target: '--model-draft / --spec-draft-n-max',
      values: ['draft_model'],
      render: (spec) => ({ args: ['--model-draft', spec.draftModel ?? '', '--spec-draft-n-max', String(spec.numSpeculativeTokens)] }),
    },
    kvCacheDtype: {
      target: '--cache-type-k / --cache-type-v',
      values: LLAMACPP_CACHE_TYPES,
      render: (type) => ({ args: ['--cache-type-k', type, '--cache-type-v', type] }),
    },
    maxBatchTokens: flag('--batch-size'),
    gpuLayers: flag('--n-gpu-layers'),
    flashAttention: { target: '--flash-attn on|off', render: (on) => ({ args: ['--flash-attn', on ? 'on' : 'off'] }) },
    pooling: flag('--pooling', { values: LLAMACPP_POOLING }),
    threads: flag('--threads'),
  },
  unsupported: {
    gpuMemoryUtilization: 'llama.cpp has no GPU memory share: memory follows from the context size, KV cache type and GPU layers.',
    dtype: 'The GGUF file fixes the weight types; pick another file for another precision.',
    quantization: 'The GGUF file is already quantized; pick the quantized file you want (e.g. Q4_K_M).',
    tensorParallelSize: 'llama.cpp spreads layers over every visible GPU by itself (--split-mode and --tensor-split in extraArgs); there is no tensor-parallel size.',
    chunkedPrefill: 'llama.cpp splits prompts into batches of maxBatchTokens by itself; there is no chunked-prefill switch.',
    enforceEager: 'llama.cpp has no eager-mode setting.',
    keepAlive: 'llama-server keeps its model loaded for its whole life; keep-alive is an Ollama setting.',
    maxLoadedModels: 'llama-server serves one model per server.',
  },
  raw: { extraArgs: true, extraEnv: true },
  check(optimization): OptimizationIssue[] {
    const issues = quantizedCacheWithoutFlashAttention(optimization, 'llama.cpp');
    const spec = optimization.tier2?.speculativeDecoding;
    if (spec && spec.draftModel === undefined) {
      issues.push({ path: '/tier2/speculativeDecoding/draftModel', message: 'llama.cpp needs speculativeDecoding.draftModel: the GGUF file of the draft model.' });
    }
    return issues;
  },
});
