import type { OptimizationIssue } from '../domain/optimization.js';
import { defineRuntime, flag, routes, toggle } from './define-runtime.js';
import { counter, gaugeAvg, gaugeSum, histogram, missing } from './metric-sources.js';

// The OpenAI-compatible server's own list of APIs ("Supported APIs", "Extra APIs"):
const VLLM_SERVER = 'https://docs.vllm.ai/en/latest/serving/openai_compatible_server/';

// `vllm serve` engine arguments: https://docs.vllm.ai/en/latest/configuration/engine_args/
// Quantization methods: vllm/model_executor/layers/quantization/__init__.py (QuantizationMethods).
export const VLLM_QUANTIZATION = [
  'aqlm',
  'awq',
  'awq_marlin',
  'auto-round',
  'bitblas',
  'bitsandbytes',
  'compressed-tensors',
  'experts_int8',
  'fbgemm_fp8',
  'fp8',
  'gguf',
  'gptq',
  'gptq_bitblas',
  'gptq_marlin',
  'gptq_marlin_24',
  'hqq',
  'marlin',
  'modelopt',
  'modelopt_fp4',
  'moe_wna16',
  'ptpc_fp8',
  'quark',
  'torchao',
] as const;

export const VLLM_KV_CACHE_DTYPES = ['auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2'] as const;

/** Methods whose proposals come from a second checkpoint named in `model`. */
const NEEDS_DRAFT_MODEL = new Set(['draft_model', 'eagle', 'eagle3', 'medusa']);

export const vllm = defineRuntime({
  id: 'vllm',
  displayName: 'vLLM',
  workloads: ['generate', 'embed'],
  // The image's entrypoint is `vllm serve`: the rendered args follow it.
  image: { repository: 'vllm/vllm-openai', tag: 'v0.11.0' },
  command: { host: ['vllm', 'serve'], container: null },
  port: 8000,
  // Loads large weights and captures CUDA graphs before it serves: minutes, not seconds.
  startupGraceSeconds: 600,
  healthPath: '/health',
  metricsPath: '/metrics',
  // Metric names: https://docs.vllm.ai/en/stable/usage/metrics/ and vllm/v1/metrics/loggers.py
  // (https://github.com/vllm-project/vllm/blob/main/vllm/v1/metrics/loggers.py); the v0 engine's
  // names where they differ: https://docs.vllm.ai/en/v0.9.1/usage/metrics.html. v1 first, v0 after.
  servingMetrics: {
    docs: ['https://docs.vllm.ai/en/stable/usage/metrics/', 'https://github.com/vllm-project/vllm/blob/main/vllm/v1/metrics/loggers.py', 'https://docs.vllm.ai/en/v0.9.1/usage/metrics.html'],
    fields: {
      // Finished requests, every finish reason (label finished_reason).
      requestsPerSecond: counter('vllm:request_success_total'),
      errorsPerSecond: missing("vLLM counts finished requests by finish reason but has no counter of failed ones; the gateway's errors/s counts them."),
      generatedTokensPerSecond: counter('vllm:generation_tokens_total'),
      promptTokensPerSecond: counter('vllm:prompt_tokens_total'),
      ttftSeconds: histogram('vllm:time_to_first_token_seconds'),
      e2eLatencySeconds: histogram('vllm:e2e_request_latency_seconds'),
      interTokenLatencySeconds: histogram('vllm:inter_token_latency_seconds', 'vllm:time_per_output_token_seconds'),
      runningRequests: gaugeSum('vllm:num_requests_running'),
      waitingRequests: gaugeSum('vllm:num_requests_waiting'),
      kvCacheUsage: gaugeAvg('vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'),
    },
  },
  openaiBasePath: '/v1',
  supportsIncludeUsage: true,
  supportedFormats: ['safetensors', 'gguf'],
  // Not /v1/responses (its usage is shaped differently, so it would escape token limits, and a
  // stored response can be read back by id), nor LoRA loading, sleep, profiling, metrics, health.
  inferenceRoutes: [
    ...routes('POST', VLLM_SERVER, '/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/audio/transcriptions', '/v1/audio/translations'),
    ...routes('POST', VLLM_SERVER, '/tokenize', '/detokenize', '/pooling', '/classify', '/score', '/v1/score', '/rerank', '/v1/rerank', '/v2/rerank'),
    ...routes('GET', VLLM_SERVER, '/v1/models'),
  ],
  // vLLM checks the key only under /v1, /v2 and /inference: its other routes stay open to local
  // processes (docs: "API key authentication does not protect every endpoint").
  apiKey: { env: 'VLLM_API_KEY', flag: '--api-key', doc: VLLM_SERVER },
  docs: [
    'https://docs.vllm.ai/en/latest/configuration/engine_args/',
    'https://docs.vllm.ai/en/latest/features/spec_decode/',
    'https://docs.vllm.ai/en/latest/usage/metrics/',
  ],
  // vLLM's own variables are the VLLM_ family: https://docs.vllm.ai/en/stable/configuration/env_vars.html
  env: {
    variables: ['VLLM_*'],
    // The API key is the gateway's (a replica is reached only through it); the rest bind listeners.
    reserved: ['VLLM_API_KEY', 'VLLM_HOST_IP', 'VLLM_PORT'],
    docs: ['https://docs.vllm.ai/en/stable/configuration/env_vars.html'],
  },
  base: (context) => ({
    args: [
      // The model is the positional argument of `vllm serve`.
      context.model,
      '--host',
      context.host,
      '--port',
      String(context.port),
      ...(context.servedModelName ? ['--served-model-name', context.servedModelName] : []),
    ],
    env: {},
  }),
  knobs: {
    maxModelLength: flag('--max-model-len'),
    gpuMemoryUtilization: flag('--gpu-memory-utilization'),
    maxConcurrentSequences: flag('--max-num-seqs'),
    dtype: flag('--dtype', { values: ['auto', 'float16', 'bfloat16', 'float32'] }),
    quantization: flag('--quantization', { values: VLLM_QUANTIZATION }),
    tensorParallelSize: flag('--tensor-parallel-size'),
    prefixCaching: toggle('--enable-prefix-caching', '--no-enable-prefix-caching'),
    chunkedPrefill: toggle('--enable-chunked-prefill', '--no-enable-chunked-prefill'),
    speculativeDecoding: {
      target: '--speculative-config (JSON)',
      values: ['ngram', 'draft_model', 'eagle', 'eagle3', 'mtp', 'medusa'],
      render: (spec) => ({
        args: [
          '--speculative-config',
          JSON.stringify({
            method: spec.method,
            ...(spec.draftModel !== undefined ? { model: spec.draftModel } : {}),
            num_speculative_tokens: spec.numSpeculativeTokens,
          }),
        ],
      }),
    },
    kvCacheDtype: flag('--kv-cache-dtype', { values: VLLM_KV_CACHE_DTYPES }),
    maxBatchTokens: flag('--max-num-batched-tokens'),
    // false is vLLM's default, so it renders nothing rather than a flag older releases lack.
    enforceEager: toggle('--enforce-eager', null),
  },
  unsupported: {
    gpuLayers: 'vLLM keeps every layer on the GPU; there is no GPU-layers setting.',
    flashAttention: 'vLLM picks its attention backend itself (VLLM_ATTENTION_BACKEND in extraEnv overrides it).',
    pooling: 'vLLM takes pooling from the model configuration; set --override-pooler-config in extraArgs if needed.',
    threads: 'vLLM has no CPU-threads setting for GPU serving.',
    keepAlive: 'vLLM serves one model for its whole life; keep-alive is an Ollama setting.',
    maxLoadedModels: 'vLLM serves one model per server.',
  },
  raw: { extraArgs: true, extraEnv: true },
  check(optimization): OptimizationIssue[] {
    const spec = optimization.tier2?.speculativeDecoding;
    if (!spec) return [];
    if (NEEDS_DRAFT_MODEL.has(spec.method) && spec.draftModel === undefined) {
      return [{ path: '/tier2/speculativeDecoding/draftModel', message: `vLLM needs speculativeDecoding.draftModel for the ${spec.method} method.` }];
    }
    if (!NEEDS_DRAFT_MODEL.has(spec.method) && spec.draftModel !== undefined) {
      return [{ path: '/tier2/speculativeDecoding/draftModel', message: `vLLM's ${spec.method} method takes no draft model.` }];
    }
    return [];
  },
});
