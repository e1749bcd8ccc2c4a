import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServingMetrics } from '../domain/monitoring.js';
import { RUNTIMES } from '../runtimes/index.js';
import { parseExposition } from './exposition.js';
import { evaluatePercentiles, evaluateScalar, type ReadingPair } from './live-evaluate.js';
import { readServing, unsupportedFields } from './normalize.js';
import { createReadingMemory } from './reading-memory.js';

// Table tests per runtime from exposition text in each runtime's documented names
// (test/fixtures/metrics/<runtime>.txt: two readings of a replica, 10 s apart; the embedded one
// captured from the embedded runtime's own /metrics). Expected numbers are worked out by hand
// from the fixtures: rates are Δ/10 s, percentiles interpolate PromQL-style in the bucket deltas.

const FIXTURES = path.resolve(import.meta.dirname, '../../test/fixtures/metrics');
const MARKER = '# --- later reading ---';

function readings(fixture: string, replicas = 1): ReadingPair[] {
  const [before, after] = readFileSync(path.join(FIXTURES, `${fixture}.txt`), 'utf8').split(MARKER);
  let clock = 1_000_000;
  const memory = createReadingMemory({ now: () => clock });
  const pairs: ReadingPair[] = [];
  for (let replica = 0; replica < replicas; replica += 1) memory.record(`r${replica}`, parseExposition(before!).samples);
  clock += 10_000;
  for (let replica = 0; replica < replicas; replica += 1) pairs.push(memory.record(`r${replica}`, parseExposition(after!).samples));
  return pairs;
}

const read = (runtime: keyof typeof RUNTIMES, pairs: ReadingPair[]) =>
  readServing(RUNTIMES[runtime].servingMetrics, { scalar: (source) => evaluateScalar(source, pairs), percentiles: (source) => evaluatePercentiles(source, pairs) });

type Expected = { [F in keyof ServingMetrics]: ServingMetrics[F] extends { p50: unknown } ? [number, number, number] | null : number | null };

/** Values as numbers (null where the runtime lacks the field) for a compact table. */
function values(metrics: ServingMetrics): Expected {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(metrics)) {
    out[field] = 'p50' in value ? (value.p50.value === null ? null : [value.p50.value, value.p95.value, value.p99.value]) : value.value;
  }
  return out as Expected;
}

const TTFT: [number, number, number] = [0.5, 0.95, 0.99];
const E2E: [number, number, number] = [1.75, 8, 9.6];
const ITL: [number, number, number] = [0.025, 0.07, 0.09];

const cases: Array<{ runtime: keyof typeof RUNTIMES; fixture: string; expected: Expected; doc: string }> = [
  {
    runtime: 'vllm',
    fixture: 'vllm',
    doc: 'https://docs.vllm.ai/en/stable/usage/metrics/',
    expected: { requestsPerSecond: 4, errorsPerSecond: null, generatedTokensPerSecond: 200, promptTokensPerSecond: 500, ttftSeconds: TTFT, e2eLatencySeconds: E2E, interTokenLatencySeconds: ITL, runningRequests: 7, waitingRequests: 2, kvCacheUsage: 0.42 },
  },
  {
    runtime: 'vllm',
    fixture: 'vllm-v0',
    doc: 'https://docs.vllm.ai/en/v0.9.1/usage/metrics.html',
    expected: { requestsPerSecond: 4, errorsPerSecond: null, generatedTokensPerSecond: 200, promptTokensPerSecond: 500, ttftSeconds: TTFT, e2eLatencySeconds: E2E, interTokenLatencySeconds: ITL, runningRequests: 7, waitingRequests: 2, kvCacheUsage: 0.3 },
  },
  {
    runtime: 'tgi',
    fixture: 'tgi',
    doc: 'https://huggingface.co/docs/text-generation-inference/reference/metrics',
    expected: { requestsPerSecond: 4, errorsPerSecond: 0.3, generatedTokensPerSecond: 200, promptTokensPerSecond: 500, ttftSeconds: null, e2eLatencySeconds: E2E, interTokenLatencySeconds: ITL, runningRequests: 7, waitingRequests: 2, kvCacheUsage: null },
  },
  {
    runtime: 'tei',
    fixture: 'tei',
    doc: 'https://github.com/huggingface/text-embeddings-inference/blob/main/core/src/infer.rs',
    expected: { requestsPerSecond: 4, errorsPerSecond: 0.3, generatedTokensPerSecond: null, promptTokensPerSecond: 500, ttftSeconds: null, e2eLatencySeconds: E2E, interTokenLatencySeconds: null, runningRequests: null, waitingRequests: 2, kvCacheUsage: null },
  },
  {
    runtime: 'llamacpp',
    fixture: 'llamacpp',
    doc: 'https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md',
    expected: { requestsPerSecond: null, errorsPerSecond: null, generatedTokensPerSecond: 200, promptTokensPerSecond: 500, ttftSeconds: null, e2eLatencySeconds: null, interTokenLatencySeconds: null, runningRequests: 7, waitingRequests: 2, kvCacheUsage: 0.42 },
  },
  {
    // Captured: 2 chat requests, then 3 more (24 generated tokens, 3 prompt tokens past the cache).
    // TTFT bucket deltas: ≤0.001: 2, ≤0.04: 3 of 3 → p50 = 0.001 × 1.5/2, p95 = 0.02 + 0.02 × 0.85, p99 = 0.02 + 0.02 × 0.97.
    runtime: 'embedded-llamacpp',
    fixture: 'embedded-llamacpp',
    doc: 'src/runtimes/embedded/runtime-metrics.ts',
    expected: {
      requestsPerSecond: 0.3,
      errorsPerSecond: 0,
      generatedTokensPerSecond: 2.4,
      promptTokensPerSecond: 0.3,
      ttftSeconds: [0.00075, 0.037, 0.0394],
      e2eLatencySeconds: 'skip' as never,
      interTokenLatencySeconds: 'skip' as never,
      runningRequests: 0,
      waitingRequests: 0,
      kvCacheUsage: 0.07421875,
    },
  },
];

describe('live normalization per runtime, from real exposition text', () => {
  it.each(cases)('$fixture → one snapshot shape ($doc)', async ({ runtime, fixture, expected }) => {
    const got = values(await read(runtime, readings(fixture)));
    for (const [field, want] of Object.entries(expected)) {
      const have = got[field as keyof Expected];
      if (want === ('skip' as never)) {
        expect(have, field).not.toBeNull();
      } else if (want === null) {
        expect(have, field).toBeNull();
      } else if (Array.isArray(want)) {
        expect(have, field).not.toBeNull();
        (have as number[]).forEach((value, index) => expect(value, `${field}[${index}]`).toBeCloseTo(want[index]!, 9));
      } else {
        expect(have, field).toBeCloseTo(want, 9);
      }
    }
  });

  it('gives every null a reason, and lists what the runtime never exports', async () => {
    for (const { runtime, fixture } of cases) {
      const metrics = await read(runtime, readings(fixture));
      for (const [field, value] of Object.entries(metrics)) {
        const parts = 'p50' in value ? [value.p50, value.p95, value.p99] : [value];
        for (const part of parts) if (part.value === null) expect(part.reason, `${runtime} ${field}`).toMatch(/\w/);
      }
      const unsupported = unsupportedFields(RUNTIMES[runtime].servingMetrics).map((entry) => entry.field);
      for (const field of unsupported) expect(values(metrics)[field as keyof Expected], `${runtime} ${field}`).toBeNull();
    }
  });

  it('sums rates and running requests over replicas, averages KV-cache usage, keeps percentiles', async () => {
    const got = values(await read('vllm', readings('vllm', 2)));
    expect(got.requestsPerSecond).toBeCloseTo(8, 9);
    expect(got.runningRequests).toBe(14);
    expect(got.kvCacheUsage).toBeCloseTo(0.42, 9);
    expect(got.ttftSeconds![1]).toBeCloseTo(0.95, 9);
  });

  it('reads vLLM v1 names before v0 ones where a replica writes both', async () => {
    // The v1 fixture also writes the deprecated vllm:time_per_output_token_seconds with every
    // observation in its +Inf bucket; reading it would answer 0.1 for every percentile.
    const got = values(await read('vllm', readings('vllm')));
    expect(got.interTokenLatencySeconds).not.toEqual([0.1, 0.1, 0.1]);
  });

  it('answers rates only from a second reading, and percentiles since start before that', async () => {
    const [before] = readFileSync(path.join(FIXTURES, 'vllm.txt'), 'utf8').split(MARKER);
    const first: ReadingPair = { current: { at: 0, samples: parseExposition(before!).samples } };
    const metrics = await read('vllm', [first]);
    expect(metrics.requestsPerSecond).toEqual({ value: null, reason: expect.stringContaining('second reading') });
    expect(metrics.runningRequests.value).toBe(3);
    // TTFT since start: 120 observations, p50 rank 60 → exactly the 0.1 bucket's bound.
    expect(metrics.ttftSeconds.p50.value).toBeCloseTo(0.1, 9);
    expect(metrics.ttftSeconds.p50.reason).toContain('started');
  });

  it('has no series for Ollama, each null with why', async () => {
    const metrics = await read('ollama', []);
    for (const value of Object.values(values(metrics))) expect(value).toBeNull();
    expect(metrics.requestsPerSecond.reason).toContain('Ollama exports no Prometheus metrics');
    expect(unsupportedFields(RUNTIMES.ollama.servingMetrics)).toHaveLength(10);
  });

  it('counts a labelled counter whose label value never happened as 0, not missing', async () => {
    const pair = (value: number, at: number) => ({ at, samples: parseExposition(`hmas_runtime_requests_total{endpoint="chat",result="stop"} ${value}\n`).samples });
    const metrics = await read('embedded-llamacpp', [{ baseline: pair(1, 0), current: pair(4, 10_000) }]);
    expect(metrics.errorsPerSecond).toEqual({ value: 0 });
    expect(metrics.requestsPerSecond.value).toBeCloseTo(0.3, 9);
  });

  it('says which series is missing when a replica lacks it', async () => {
    const pair: ReadingPair = { current: { at: 0, samples: parseExposition('llamacpp:tokens_predicted_total 5\n').samples } };
    const metrics = await read('llamacpp', [pair]);
    expect(metrics.kvCacheUsage).toEqual({ value: null, reason: expect.stringContaining('No sample of llamacpp:kv_cache_usage_ratio yet') });
  });
});
