import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The runtime's Prometheus metrics. The `llamacpp:` series carry llama-server's names, types and
 * meanings, so whatever reads a llama.cpp server's /metrics reads this one too. llama.cpp has no
 * latency histograms; those are H-MAS's own (`hmas_runtime_…`), in vLLM's terms (TTFT, end to
 * end, inter-token latency) so they map onto the same normalized set.
 */
export interface RuntimeMetrics {
  readonly registry: Registry;
  /** A request found every slot busy and waits in line. */
  deferred(): void;
  /** Prompt evaluated: tokens evaluated (the part not reused from the slot's cache) and time. */
  prompt(tokens: number, seconds: number): void;
  /** One more generated token, `secondsSincePrevious` after the one before (undefined for the first). */
  token(secondsSincePrevious: number | undefined): void;
  /** Generation time of a request, from its first token to its last. */
  generation(seconds: number): void;
  /** Context positions in use at the end of a request (llama.cpp's n_tokens_max is the largest). */
  positions(count: number): void;
  /** A request ended (answered, cut short or failed). */
  request(outcome: RequestOutcome): void;
  render(): Promise<string>;
  readonly contentType: string;
}

export interface RequestOutcome {
  endpoint: 'chat' | 'completions';
  /** finish_reason, or `error` / `aborted` (the client went away). */
  result: 'stop' | 'length' | 'error' | 'aborted';
  queueSeconds: number;
  /** From arrival to the first generated token; undefined when none was generated. */
  firstTokenSeconds: number | undefined;
  totalSeconds: number;
}

export interface SlotState {
  /** Requests holding a slot. */
  processing(): number;
  /** Requests waiting for a slot. */
  waiting(): number;
  /** Context cells in use over all slots, and their total. */
  kvTokens(): number;
  kvCapacity: number;
}

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
const TOKEN_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5];

export function createRuntimeMetrics(slots: SlotState, options: { defaultMetrics?: boolean } = {}): RuntimeMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  // llama-server's throughput gauges average over the time since the previous scrape.
  const sinceScrape = { promptTokens: 0, promptSeconds: 0, predictedTokens: 0, predictedSeconds: 0 };
  let positionsMax = 0;

  const promptTokens = new Counter({ name: 'llamacpp:prompt_tokens_total', help: 'Number of prompt tokens processed.', registers });
  const promptSeconds = new Counter({ name: 'llamacpp:prompt_seconds_total', help: 'Prompt process time', registers });
  const predictedTokens = new Counter({ name: 'llamacpp:tokens_predicted_total', help: 'Number of generation tokens processed.', registers });
  const predictedSeconds = new Counter({ name: 'llamacpp:tokens_predicted_seconds_total', help: 'Predict process time', registers });
  new Gauge({
    name: 'llamacpp:n_tokens_max',
    help: 'Largest observed n_tokens.',
    registers,
    collect() {
      this.set(positionsMax);
    },
  });
  new Gauge({
    name: 'llamacpp:prompt_tokens_seconds',
    help: 'Average prompt throughput in tokens/s.',
    registers,
    collect() {
      this.set(sinceScrape.promptSeconds > 0 ? sinceScrape.promptTokens / sinceScrape.promptSeconds : 0);
      sinceScrape.promptTokens = 0;
      sinceScrape.promptSeconds = 0;
    },
  });
  new Gauge({
    name: 'llamacpp:predicted_tokens_seconds',
    help: 'Average generation throughput in tokens/s.',
    registers,
    collect() {
      this.set(sinceScrape.predictedSeconds > 0 ? sinceScrape.predictedTokens / sinceScrape.predictedSeconds : 0);
      sinceScrape.predictedTokens = 0;
      sinceScrape.predictedSeconds = 0;
    },
  });
  new Gauge({
    name: 'llamacpp:kv_cache_usage_ratio',
    help: 'KV-cache usage. 1 means 100 percent usage.',
    registers,
    collect() {
      this.set(slots.kvCapacity > 0 ? slots.kvTokens() / slots.kvCapacity : 0);
    },
  });
  new Gauge({
    name: 'llamacpp:kv_cache_tokens',
    help: 'KV-cache tokens.',
    registers,
    collect() {
      this.set(slots.kvTokens());
    },
  });
  new Gauge({
    name: 'llamacpp:requests_processing',
    help: 'Number of requests processing.',
    registers,
    collect() {
      this.set(slots.processing());
    },
  });
  new Gauge({
    name: 'llamacpp:requests_deferred',
    help: 'Number of requests deferred.',
    registers,
    collect() {
      this.set(slots.waiting());
    },
  });

  const deferredTotal = new Counter({
    name: 'hmas_runtime_requests_deferred_total',
    help: 'Requests that found every slot busy and waited for one.',
    registers,
  });
  const requests = new Counter({
    name: 'hmas_runtime_requests_total',
    help: 'Generation requests, by endpoint and result (finish reason, error or aborted).',
    labelNames: ['endpoint', 'result'] as const,
    registers,
  });
  const queueWait = new Histogram({
    name: 'hmas_runtime_queue_wait_seconds',
    help: 'Time a request waited for a free slot.',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const timeToFirstToken = new Histogram({
    name: 'hmas_runtime_time_to_first_token_seconds',
    help: 'Time from a request’s arrival to its first generated token (queue wait and prompt included).',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const endToEnd = new Histogram({
    name: 'hmas_runtime_e2e_request_latency_seconds',
    help: 'Time from a request’s arrival to its last token.',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const interToken = new Histogram({
    name: 'hmas_runtime_inter_token_latency_seconds',
    help: 'Time between two generated tokens of one request.',
    buckets: TOKEN_BUCKETS,
    registers,
  });

  return {
    registry,
    contentType: registry.contentType,
    deferred() {
      deferredTotal.inc();
    },
    prompt(tokens, seconds) {
      promptTokens.inc(tokens);
      promptSeconds.inc(seconds);
      sinceScrape.promptTokens += tokens;
      sinceScrape.promptSeconds += seconds;
    },
    token(secondsSincePrevious) {
      predictedTokens.inc();
      sinceScrape.predictedTokens += 1;
      if (secondsSincePrevious !== undefined) interToken.observe(secondsSincePrevious);
    },
    generation(seconds) {
      predictedSeconds.inc(seconds);
      sinceScrape.predictedSeconds += seconds;
    },
    positions(count) {
      positionsMax = Math.max(positionsMax, count);
    },
    request(outcome) {
      requests.inc({ endpoint: outcome.endpoint, result: outcome.result });
      queueWait.observe(outcome.queueSeconds);
      if (outcome.firstTokenSeconds !== undefined) timeToFirstToken.observe(outcome.firstTokenSeconds);
      if (outcome.result === 'stop' || outcome.result === 'length') endToEnd.observe(outcome.totalSeconds);
    },
    render: () => registry.metrics(),
  };
}
