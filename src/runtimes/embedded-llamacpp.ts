import { defineRuntime, flag, routes } from './define-runtime.js';
import { counter, gaugeAvg, gaugeSum, histogram } from './metric-sources.js';

const EMBEDDED_API = 'src/runtimes/embedded/README.md#http-api';

const NOT_YET = 'The embedded runtime takes only --threads, --ctx and --parallel; this setting is not available there.';

/**
 * H-MAS's own llama.cpp runtime for hosts without Kubernetes: `hmas runtime llama --model
 * FILE.gguf --port N [--threads T] [--ctx N] [--parallel N]`. It serves llama.cpp's HTTP API, so
 * health, metrics (llama.cpp metric names) and the OpenAI routes are llama-server's. `--ctx` is
 * the context one request may use; the runtime sizes its KV cache as ctx × parallel.
 */
export const embeddedLlamacpp = defineRuntime({
  id: 'embedded-llamacpp',
  displayName: 'Embedded llama.cpp',
  workloads: ['generate'],
  // Runs on the host as a child of the hmas command; there is no image.
  image: null,
  command: { host: ['hmas', 'runtime', 'llama'], container: null },
  port: 8080,
  healthPath: '/health',
  metricsPath: '/metrics',
  // llama-server's `llamacpp:` names plus H-MAS's own latency histograms (embedded/runtime-metrics.ts).
  servingMetrics: {
    docs: ['src/runtimes/embedded/README.md', 'https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md#get-metrics-prometheus-compatible-metrics-exporter'],
    fields: {
      requestsPerSecond: counter('hmas_runtime_requests_total'),
      errorsPerSecond: counter({ name: 'hmas_runtime_requests_total', match: { result: 'error' } }),
      generatedTokensPerSecond: counter('llamacpp:tokens_predicted_total'),
      promptTokensPerSecond: counter('llamacpp:prompt_tokens_total'),
      ttftSeconds: histogram('hmas_runtime_time_to_first_token_seconds'),
      e2eLatencySeconds: histogram('hmas_runtime_e2e_request_latency_seconds'),
      interTokenLatencySeconds: histogram('hmas_runtime_inter_token_latency_seconds'),
      runningRequests: gaugeSum('llamacpp:requests_processing'),
      waitingRequests: gaugeSum('llamacpp:requests_deferred'),
      kvCacheUsage: gaugeAvg('llamacpp:kv_cache_usage_ratio'),
    },
  },
  openaiBasePath: '/v1',
  supportsIncludeUsage: true,
  supportedFormats: ['gguf'],
  inferenceRoutes: [
    ...routes('POST', EMBEDDED_API, '/v1/chat/completions', '/v1/completions', '/chat/completions', '/completions'),
    ...routes('GET', EMBEDDED_API, '/v1/models', '/models'),
  ],
  // Checked in constant time on every route but /health (runtime-server.ts).
  apiKey: { env: 'HMAS_RUNTIME_API_KEY', flag: null, doc: EMBEDDED_API },
  docs: ['src/runtimes/README.md#embedded-llamacpp', 'https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md'],
  // Configured by its arguments only: the shared families are all it may get.
  env: { variables: [], docs: ['src/runtimes/README.md#embedded-llamacpp'] },
  // --alias: the OpenAI API answers to the deployment's name, so the gateway can pass bodies through.
  base: (context) => ({
    args: ['--model', context.model, '--host', context.host, '--port', String(context.port), ...(context.servedModelName ? ['--alias', context.servedModelName] : [])],
    env: {},
  }),
  knobs: {
    maxModelLength: flag('--ctx'),
    maxConcurrentSequences: flag('--parallel'),
    threads: flag('--threads'),
  },
  unsupported: {
    gpuMemoryUtilization: NOT_YET,
    dtype: 'The GGUF file fixes the weight types; pick another file for another precision.',
    quantization: 'The GGUF file is already quantized; pick the quantized file you want (e.g. Q4_K_M).',
    tensorParallelSize: NOT_YET,
    prefixCaching: NOT_YET,
    chunkedPrefill: NOT_YET,
    speculativeDecoding: NOT_YET,
    kvCacheDtype: NOT_YET,
    maxBatchTokens: NOT_YET,
    enforceEager: NOT_YET,
    gpuLayers: NOT_YET,
    flashAttention: NOT_YET,
    pooling: NOT_YET,
    keepAlive: 'The embedded runtime keeps its model loaded for its whole life.',
    maxLoadedModels: 'The embedded runtime serves one model.',
  },
  raw: { extraArgs: true, extraEnv: true },
});
