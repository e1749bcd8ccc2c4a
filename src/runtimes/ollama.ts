import { defineRuntime, envVar, routes } from './define-runtime.js';
import { quantizedCacheWithoutFlashAttention } from './llamacpp.js';
import { missing } from './metric-sources.js';

// Ollama reads its server settings from the environment only:
// https://github.com/ollama/ollama/blob/main/docs/faq.md and envconfig/config.go;
// OLLAMA_CONTEXT_LENGTH: https://github.com/ollama/ollama/blob/main/docs/context-length.mdx
export const OLLAMA_KV_CACHE_TYPES = ['f16', 'q8_0', 'q4_0'] as const;

const OLLAMA_API = 'https://github.com/ollama/ollama/blob/main/docs/api.md';
const OLLAMA_OPENAI = 'https://github.com/ollama/ollama/blob/main/docs/openai.md';

/** Ollama has no /metrics: only the gateway's series say how it serves. */
const NO_METRICS = "Ollama exports no Prometheus metrics; the gateway's requests/s, latency and tokens/s cover it.";

const PER_MODEL = (parameter: string) => `Ollama sets this per model (${parameter} in a Modelfile or request options), not per server.`;

export const ollama = defineRuntime({
  id: 'ollama',
  displayName: 'Ollama',
  workloads: ['generate', 'embed'],
  // The image's entrypoint is /bin/ollama with CMD `serve`; the command says `serve` itself so
  // nothing depends on the image's CMD.
  image: { repository: 'ollama/ollama', tag: '0.12.6' },
  command: { host: ['ollama', 'serve'], container: ['/bin/ollama', 'serve'] },
  port: 11434,
  healthPath: '/api/version',
  // Ollama exports no Prometheus inference metrics: monitoring shows GPU metrics only.
  metricsPath: null,
  servingMetrics: {
    docs: ['https://github.com/ollama/ollama/blob/main/docs/api.md'],
    fields: {
      requestsPerSecond: missing(NO_METRICS),
      errorsPerSecond: missing(NO_METRICS),
      generatedTokensPerSecond: missing(NO_METRICS),
      promptTokensPerSecond: missing(NO_METRICS),
      ttftSeconds: missing(NO_METRICS),
      e2eLatencySeconds: missing(NO_METRICS),
      interTokenLatencySeconds: missing(NO_METRICS),
      runningRequests: missing(NO_METRICS),
      waitingRequests: missing(NO_METRICS),
      kvCacheUsage: missing(NO_METRICS),
    },
  },
  openaiBasePath: '/v1',
  supportsIncludeUsage: true,
  supportedFormats: ['gguf'],
  // Never /api/pull, /api/push, /api/delete, /api/create, /api/copy, /api/blobs (they change the
  // host's model store), nor /api/tags and /api/ps (they list every model on the host).
  inferenceRoutes: [
    ...routes('POST', OLLAMA_API, '/api/generate', '/api/chat', '/api/embed', '/api/embeddings', '/api/show'),
    ...routes('POST', OLLAMA_OPENAI, '/v1/chat/completions', '/v1/completions', '/v1/embeddings'),
    ...routes('GET', OLLAMA_OPENAI, '/v1/models'),
  ],
  apiKey: {
    env: null,
    reason: 'Ollama has no API key option: any process on the host can reach a replica on 127.0.0.1 without going through the gateway.',
  },
  docs: [
    'https://github.com/ollama/ollama/blob/main/docs/faq.md',
    'https://github.com/ollama/ollama/blob/main/envconfig/config.go',
    'https://github.com/ollama/ollama/blob/main/docs/context-length.mdx',
    'https://github.com/ollama/ollama/blob/main/docs/openai.md',
  ],
  // Every server setting is an OLLAMA_ variable (envconfig/config.go); OLLAMA_HOST is its address.
  env: {
    variables: ['OLLAMA_*'],
    reserved: ['OLLAMA_HOST'],
    docs: ['https://github.com/ollama/ollama/blob/main/envconfig/config.go', 'https://github.com/ollama/ollama/blob/main/docs/faq.md'],
  },
  // `ollama serve` loads models on demand: the model is pulled and named per request, not here.
  base: (context) => ({
    args: [],
    env: { OLLAMA_HOST: `${context.host.includes(':') ? `[${context.host}]` : context.host}:${context.port}` },
  }),
  knobs: {
    maxModelLength: envVar('OLLAMA_CONTEXT_LENGTH'),
    maxConcurrentSequences: envVar('OLLAMA_NUM_PARALLEL'),
    kvCacheDtype: envVar('OLLAMA_KV_CACHE_TYPE', { values: OLLAMA_KV_CACHE_TYPES }),
    flashAttention: envVar('OLLAMA_FLASH_ATTENTION', { format: (on) => (on ? '1' : '0') }),
    keepAlive: envVar('OLLAMA_KEEP_ALIVE'),
    maxLoadedModels: envVar('OLLAMA_MAX_LOADED_MODELS'),
  },
  unsupported: {
    gpuMemoryUtilization: 'Ollama has no GPU memory share; OLLAMA_GPU_OVERHEAD in extraEnv reserves bytes per GPU.',
    dtype: 'Ollama models come in fixed precisions; pull the tag you want.',
    quantization: 'Ollama models come quantized; pull the tag you want (e.g. llama3.1:8b-instruct-q8_0).',
    tensorParallelSize: 'Ollama spreads a model over GPUs by itself when one is not enough (OLLAMA_SCHED_SPREAD in extraEnv forces it); there is no tensor-parallel size.',
    prefixCaching: 'Ollama reuses the prompt cache of a slot by itself; there is no switch.',
    chunkedPrefill: 'Ollama has no chunked-prefill switch.',
    speculativeDecoding: 'Ollama has no speculative decoding.',
    maxBatchTokens: PER_MODEL('num_batch'),
    enforceEager: 'Ollama has no eager-mode setting.',
    gpuLayers: PER_MODEL('num_gpu'),
    pooling: 'Ollama takes pooling from the model.',
    threads: PER_MODEL('num_thread'),
  },
  // `ollama serve` takes no options: every server setting is an environment variable.
  raw: { extraArgs: false, extraEnv: true },
  check: (optimization) => quantizedCacheWithoutFlashAttention(optimization, 'Ollama'),
});
