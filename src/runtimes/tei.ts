import { defineRuntime, flag, routes } from './define-runtime.js';
import { counter, gaugeSum, histogram, missing } from './metric-sources.js';

const TEI_ARGS = 'https://huggingface.co/docs/text-embeddings-inference/cli_arguments';
// The router's OpenAPI description: https://huggingface.github.io/text-embeddings-inference/
const TEI_API = 'https://huggingface.co/docs/text-embeddings-inference/quick_tour';

// text-embeddings-router arguments:
// https://huggingface.co/docs/text-embeddings-inference/cli_arguments
export const TEI_POOLING = ['cls', 'mean', 'splade', 'last-token'] as const;

const GENERATION_ONLY = 'TEI computes embeddings in one pass; it has no generation settings such as this one.';

export const tei = defineRuntime({
  id: 'tei',
  displayName: 'TEI',
  workloads: ['embed'],
  // The image's entrypoint is text-embeddings-router; the rendered args replace its default CMD.
  image: { repository: 'ghcr.io/huggingface/text-embeddings-inference', tag: '1.8' },
  command: { host: ['text-embeddings-router'], container: null },
  port: 80,
  healthPath: '/health',
  metricsPath: '/metrics',
  // TEI documents no metric list; the names are the router's and core's `metrics::` calls
  // (https://github.com/huggingface/text-embeddings-inference/blob/main/core/src/infer.rs,
  // core/src/queue.rs, router/src/http/server.rs) with the buckets of router/src/prometheus.rs.
  servingMetrics: {
    docs: [
      'https://github.com/huggingface/text-embeddings-inference/blob/main/core/src/infer.rs',
      'https://github.com/huggingface/text-embeddings-inference/blob/main/core/src/queue.rs',
      'https://github.com/huggingface/text-embeddings-inference/blob/main/router/src/prometheus.rs',
    ],
    fields: {
      requestsPerSecond: counter('te_request_count'),
      errorsPerSecond: counter('te_request_failure'),
      generatedTokensPerSecond: missing('TEI computes embeddings: it generates no tokens.'),
      promptTokensPerSecond: counter('te_request_input_length_sum'),
      ttftSeconds: missing('TEI computes embeddings: there is no first token.'),
      e2eLatencySeconds: histogram('te_request_duration'),
      interTokenLatencySeconds: missing('TEI computes embeddings: there are no generated tokens to time.'),
      runningRequests: missing('TEI exports the size of each next batch as a histogram (te_batch_next_size), not the requests running now.'),
      waitingRequests: gaugeSum('te_queue_size'),
      kvCacheUsage: missing('TEI keeps no KV cache.'),
    },
  },
  openaiBasePath: '/v1',
  // Embeddings do not stream, so there is no stream usage to ask for.
  supportsIncludeUsage: false,
  supportedFormats: ['safetensors'],
  // TEI leaves /health (and /metrics) open whatever the key; the driver sends it anyway.
  inferenceRoutes: [
    ...routes('POST', TEI_API, '/embed', '/embed_all', '/embed_sparse', '/predict', '/rerank', '/similarity', '/tokenize', '/decode'),
    ...routes('POST', TEI_API, '/embeddings', '/v1/embeddings'),
  ],
  apiKey: { env: 'API_KEY', flag: '--api-key', doc: TEI_ARGS },
  docs: [TEI_ARGS, TEI_API],
  // Every router flag has a variable ("[env: NAME=]" in the CLI arguments reference).
  env: {
    variables: [
      'MODEL_ID', 'REVISION', 'TOKENIZATION_WORKERS', 'DTYPE', 'POOLING', 'MAX_CONCURRENT_REQUESTS', 'MAX_BATCH_TOKENS',
      'MAX_BATCH_REQUESTS', 'MAX_CLIENT_BATCH_SIZE', 'AUTO_TRUNCATE', 'DEFAULT_PROMPT_NAME', 'DEFAULT_PROMPT', 'DENSE_PATH',
      'SERVED_MODEL_NAME', 'HUGGINGFACE_HUB_CACHE', 'PAYLOAD_LIMIT', 'JSON_OUTPUT', 'DISABLE_SPANS', 'OTLP_ENDPOINT',
      'OTLP_SERVICE_NAME', 'CORS_ALLOW_ORIGIN', 'RUST_LOG', 'RUST_BACKTRACE',
    ],
    reserved: ['HOSTNAME', 'PORT', 'UDS_PATH', 'API_KEY', 'PROMETHEUS_PORT'],
    docs: ['https://huggingface.co/docs/text-embeddings-inference/cli_arguments'],
  },
  base: (context) => ({
    args: [
      '--model-id',
      context.model,
      '--hostname',
      context.host,
      '--port',
      String(context.port),
      ...(context.servedModelName ? ['--served-model-name', context.servedModelName] : []),
    ],
    env: {},
  }),
  knobs: {
    maxConcurrentSequences: flag('--max-concurrent-requests'),
    dtype: flag('--dtype', { values: ['auto', 'float16', 'float32'] }),
    maxBatchTokens: flag('--max-batch-tokens'),
    pooling: flag('--pooling', { values: TEI_POOLING }),
  },
  unsupported: {
    maxModelLength: 'TEI takes the maximum input length from the model; "--auto-truncate" in extraArgs cuts longer inputs.',
    gpuMemoryUtilization: 'TEI has no GPU memory share setting; maxBatchTokens bounds its memory use.',
    quantization: 'TEI has no quantization setting.',
    tensorParallelSize: 'TEI has no tensor parallel: one replica runs on one GPU.',
    prefixCaching: GENERATION_ONLY,
    chunkedPrefill: GENERATION_ONLY,
    speculativeDecoding: GENERATION_ONLY,
    kvCacheDtype: 'TEI keeps no KV cache.',
    enforceEager: 'TEI does not use CUDA graphs.',
    gpuLayers: 'TEI keeps every layer on the GPU.',
    flashAttention: 'TEI picks flash attention itself where the GPU supports it.',
    threads: 'TEI has no CPU-threads setting for GPU serving (--tokenization-workers in extraArgs sets tokenizer workers).',
    keepAlive: 'TEI serves one model for its whole life; keep-alive is an Ollama setting.',
    maxLoadedModels: 'TEI serves one model per server.',
  },
  raw: { extraArgs: true, extraEnv: true },
});
