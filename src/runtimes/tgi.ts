import type { OptimizationIssue } from '../domain/optimization.js';
import { defineRuntime, flag, routes } from './define-runtime.js';
import { counter, gaugeSum, histogram, missing } from './metric-sources.js';

const TGI_LAUNCHER = 'https://huggingface.co/docs/text-generation-inference/reference/launcher';
// The router's OpenAPI description lists every route: https://huggingface.github.io/text-generation-inference/
const TGI_API = 'https://huggingface.co/docs/text-generation-inference/reference/api_reference';

// text-generation-launcher arguments:
// https://huggingface.co/docs/text-generation-inference/reference/launcher
export const TGI_QUANTIZE = [
  'awq',
  'compressed-tensors',
  'eetq',
  'exl2',
  'gptq',
  'marlin',
  'bitsandbytes',
  'bitsandbytes-nf4',
  'bitsandbytes-fp4',
  'fp8',
] as const;

export const TGI_KV_CACHE_DTYPES = ['fp8_e4m3fn', 'fp8_e5m2'] as const;

export const tgi = defineRuntime({
  id: 'tgi',
  displayName: 'TGI',
  workloads: ['generate'],
  // The image's entrypoint script activates TGI's environment, then execs the launcher with the args.
  image: { repository: 'ghcr.io/huggingface/text-generation-inference', tag: '3.3.4' },
  command: { host: ['text-generation-launcher'], container: null },
  port: 80,
  // Loads large weights and captures CUDA graphs before it serves: minutes, not seconds.
  startupGraceSeconds: 600,
  healthPath: '/health',
  metricsPath: '/metrics',
  // Metric names: https://huggingface.co/docs/text-generation-inference/reference/metrics (the
  // router's `metrics` crate writes counters without a `_total` suffix; the durations and token
  // counts are histograms, so their `_sum` counts tokens up like a counter).
  servingMetrics: {
    docs: ['https://huggingface.co/docs/text-generation-inference/reference/metrics'],
    fields: {
      requestsPerSecond: counter('tgi_request_count'),
      errorsPerSecond: counter('tgi_request_failure'),
      generatedTokensPerSecond: counter('tgi_request_generated_tokens_sum'),
      promptTokensPerSecond: counter('tgi_request_input_length_sum'),
      ttftSeconds: missing("TGI has no time-to-first-token metric (only queue, validation and inference durations per request); the gateway's time to first byte is the nearest."),
      e2eLatencySeconds: histogram('tgi_request_duration'),
      // Each observation is one request's mean time per output token.
      interTokenLatencySeconds: histogram('tgi_request_mean_time_per_token_duration'),
      runningRequests: gaugeSum('tgi_batch_current_size'),
      waitingRequests: gaugeSum('tgi_queue_size'),
      kvCacheUsage: missing('TGI does not export its KV-cache usage.'),
    },
  },
  openaiBasePath: '/v1',
  supportsIncludeUsage: true,
  supportedFormats: ['safetensors'],
  // Not `POST /` (the compatibility route picks generate or stream from the body) nor /invocations.
  inferenceRoutes: [
    ...routes('POST', TGI_API, '/generate', '/generate_stream', '/v1/chat/completions', '/v1/completions', '/tokenize', '/chat_tokenize'),
    ...routes('GET', TGI_API, '/v1/models'),
  ],
  apiKey: { env: 'API_KEY', flag: '--api-key', doc: TGI_LAUNCHER },
  docs: [
    TGI_LAUNCHER,
    'https://huggingface.co/docs/text-generation-inference/reference/metrics',
    'https://huggingface.co/docs/text-generation-inference/messages_api',
    TGI_API,
  ],
  // Every launcher flag has a variable ("[env: NAME=]" in the launcher reference).
  env: {
    variables: [
      'MODEL_ID', 'REVISION', 'VALIDATION_WORKERS', 'SHARDED', 'NUM_SHARD', 'QUANTIZE', 'SPECULATE', 'DTYPE', 'KV_CACHE_DTYPE',
      'TRUST_REMOTE_CODE', 'MAX_CONCURRENT_REQUESTS', 'MAX_BEST_OF', 'MAX_STOP_SEQUENCES', 'MAX_TOP_N_TOKENS', 'MAX_INPUT_TOKENS',
      'MAX_INPUT_LENGTH', 'MAX_TOTAL_TOKENS', 'WAITING_SERVED_RATIO', 'MAX_BATCH_PREFILL_TOKENS', 'MAX_BATCH_TOTAL_TOKENS',
      'MAX_WAITING_TOKENS', 'MAX_BATCH_SIZE', 'CUDA_GRAPHS', 'HUGGINGFACE_HUB_CACHE', 'WEIGHTS_CACHE_OVERRIDE', 'DISABLE_CUSTOM_KERNELS',
      'CUDA_MEMORY_FRACTION', 'ROPE_SCALING', 'ROPE_FACTOR', 'JSON_OUTPUT', 'OTLP_ENDPOINT', 'OTLP_SERVICE_NAME', 'CORS_ALLOW_ORIGIN',
      'WATERMARK_GAMMA', 'WATERMARK_DELTA', 'TOKENIZER_CONFIG_PATH', 'DISABLE_GRAMMAR_SUPPORT', 'MAX_CLIENT_BATCH_SIZE',
      'LORA_ADAPTERS', 'USAGE_STATS', 'PAYLOAD_LIMIT', 'ENABLE_PREFILL_LOGPROBS', 'GRACEFUL_TERMINATION_TIMEOUT',
      'PREFIX_CACHING', 'ATTENTION', 'LOG_LEVEL', 'RUST_LOG', 'RUST_BACKTRACE',
    ],
    reserved: ['HOSTNAME', 'PORT', 'SHARD_UDS_PATH', 'MASTER_ADDR', 'MASTER_PORT', 'API_KEY', 'PROMETHEUS_PORT'],
    docs: ['https://huggingface.co/docs/text-generation-inference/reference/launcher'],
  },
  base: (context) => ({
    args: ['--model-id', context.model, '--hostname', context.host, '--port', String(context.port)],
    env: {},
  }),
  knobs: {
    // TGI bounds the prompt and prompt + output separately; the prompt may use all but one token.
    maxModelLength: {
      target: '--max-input-tokens / --max-total-tokens',
      render: (length) => ({ args: ['--max-input-tokens', String(length - 1), '--max-total-tokens', String(length)] }),
    },
    gpuMemoryUtilization: flag('--cuda-memory-fraction'),
    maxConcurrentSequences: flag('--max-concurrent-requests'),
    dtype: flag('--dtype', { values: ['auto', 'float16', 'bfloat16'] }),
    quantization: flag('--quantize', { values: TGI_QUANTIZE }),
    tensorParallelSize: flag('--num-shard'),
    // --speculate N: n-gram speculation, or the model's own Medusa heads when it has them.
    speculativeDecoding: {
      target: '--speculate',
      values: ['ngram', 'medusa'],
      render: (spec) => ({ args: ['--speculate', String(spec.numSpeculativeTokens)] }),
    },
    kvCacheDtype: flag('--kv-cache-dtype', { values: TGI_KV_CACHE_DTYPES }),
    maxBatchTokens: {
      target: '--max-batch-prefill-tokens',
      render: (tokens, optimization) => ({
        args: ['--max-batch-prefill-tokens', String(tokens)],
        // TGI refuses to start when the prefill budget is below the longest prompt, which it
        // derives from the model unless maxModelLength says otherwise.
        warnings:
          optimization.tier1?.maxModelLength === undefined
            ? [{ path: '/tier2/maxBatchTokens', message: 'TGI refuses to start if maxBatchTokens is below its longest allowed prompt, which it takes from the model when maxModelLength is unset; set maxModelLength too.' }]
            : [],
      }),
    },
  },
  unsupported: {
    prefixCaching: 'TGI turns prefix caching on by itself where its attention backend supports it; the launcher has no flag for it.',
    chunkedPrefill: 'TGI chunks prefills by itself where its attention backend supports it; the launcher has no flag for it.',
    enforceEager: 'TGI has no eager-mode flag; "--cuda-graphs 0" in extraArgs disables CUDA graphs.',
    gpuLayers: 'TGI keeps every layer on the GPU; there is no GPU-layers setting.',
    flashAttention: 'TGI picks its attention implementation itself.',
    pooling: 'TGI generates text; pooling is an embeddings setting (use TEI).',
    threads: 'TGI has no CPU-threads setting for GPU serving.',
    keepAlive: 'TGI serves one model for its whole life; keep-alive is an Ollama setting.',
    maxLoadedModels: 'TGI serves one model per server.',
  },
  conflicts: [
    { knobs: ['quantization', 'dtype'], message: 'TGI refuses --dtype together with --quantize; leave dtype at auto for quantized models.' },
  ],
  raw: { extraArgs: true, extraEnv: true },
  check(optimization): OptimizationIssue[] {
    const issues: OptimizationIssue[] = [];
    const length = optimization.tier1?.maxModelLength;
    if (length !== undefined && length < 2) {
      issues.push({ path: '/tier1/maxModelLength', message: 'TGI needs maxModelLength of at least 2 (one prompt token and one new token).' });
    }
    const prefill = optimization.tier2?.maxBatchTokens;
    if (length !== undefined && prefill !== undefined && prefill < length - 1) {
      issues.push({ path: '/tier2/maxBatchTokens', message: `TGI needs maxBatchTokens (--max-batch-prefill-tokens) of at least the longest prompt, ${length - 1} tokens.` });
    }
    if (optimization.tier2?.speculativeDecoding?.draftModel !== undefined) {
      issues.push({ path: '/tier2/speculativeDecoding/draftModel', message: 'TGI takes no draft model: it speculates with n-grams or the model’s own Medusa heads.' });
    }
    return issues;
  },
});
