import { describe, expect, it } from 'vitest';
import { createRuntimeMetrics } from './runtime-metrics.js';

function valueOf(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('createRuntimeMetrics', () => {
  const slots = { processing: () => 1, waiting: () => 3, kvTokens: () => 256, kvCapacity: 1024 };

  it("reports slot state under llama-server's names", async () => {
    const text = await createRuntimeMetrics(slots, { defaultMetrics: false }).render();
    expect(valueOf(text, 'llamacpp:requests_processing')).toBe(1);
    expect(valueOf(text, 'llamacpp:requests_deferred')).toBe(3);
    expect(valueOf(text, 'llamacpp:kv_cache_tokens')).toBe(256);
    expect(valueOf(text, 'llamacpp:kv_cache_usage_ratio')).toBe(0.25);
    expect(text).toContain('# TYPE llamacpp:prompt_tokens_total counter');
    expect(text).toContain('# TYPE llamacpp:requests_deferred gauge');
  });

  it('counts tokens and averages throughput over the time since the previous scrape', async () => {
    const metrics = createRuntimeMetrics(slots, { defaultMetrics: false });
    metrics.prompt(100, 0.5);
    for (let index = 0; index < 10; index += 1) metrics.token(index === 0 ? undefined : 0.01);
    metrics.generation(0.1);
    metrics.positions(110);
    metrics.positions(50);
    const first = await metrics.render();
    expect(valueOf(first, 'llamacpp:prompt_tokens_total')).toBe(100);
    expect(valueOf(first, 'llamacpp:tokens_predicted_total')).toBe(10);
    expect(valueOf(first, 'llamacpp:prompt_tokens_seconds')).toBe(200);
    expect(valueOf(first, 'llamacpp:predicted_tokens_seconds')).toBe(100);
    expect(valueOf(first, 'llamacpp:n_tokens_max')).toBe(110);
    expect(valueOf(first, 'hmas_runtime_inter_token_latency_seconds_count')).toBe(9);

    const second = await metrics.render();
    expect(valueOf(second, 'llamacpp:prompt_tokens_total')).toBe(100);
    expect(valueOf(second, 'llamacpp:prompt_tokens_seconds')).toBe(0);
    expect(valueOf(second, 'llamacpp:predicted_tokens_seconds')).toBe(0);
  });

  it('observes latency only for the requests that have it', async () => {
    const metrics = createRuntimeMetrics(slots, { defaultMetrics: false });
    metrics.deferred();
    metrics.request({ endpoint: 'chat', result: 'stop', queueSeconds: 0.2, firstTokenSeconds: 0.3, totalSeconds: 1 });
    metrics.request({ endpoint: 'completions', result: 'aborted', queueSeconds: 2, firstTokenSeconds: undefined, totalSeconds: 2 });
    const text = await metrics.render();
    expect(valueOf(text, 'hmas_runtime_requests_deferred_total')).toBe(1);
    expect(text).toContain('hmas_runtime_requests_total{endpoint="chat",result="stop"} 1');
    expect(text).toContain('hmas_runtime_requests_total{endpoint="completions",result="aborted"} 1');
    expect(valueOf(text, 'hmas_runtime_queue_wait_seconds_count')).toBe(2);
    expect(valueOf(text, 'hmas_runtime_time_to_first_token_seconds_count')).toBe(1);
    expect(valueOf(text, 'hmas_runtime_e2e_request_latency_seconds_count')).toBe(1);
  });
});
