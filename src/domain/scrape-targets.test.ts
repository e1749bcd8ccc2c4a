import { describe, expect, it } from 'vitest';
import { RUNTIME_IDS } from './optimization.js';
import { scrapeMetricsPath } from './scrape-targets.js';
import { RUNTIMES } from '../runtimes/index.js';

describe('which runtimes Prometheus can scrape without a secret', () => {
  it('is every runtime with metrics but llama.cpp’s server, whose key guards them', () => {
    const paths = Object.fromEntries(RUNTIME_IDS.map((id) => [id, scrapeMetricsPath({ id, metricsPath: RUNTIMES[id].metricsPath, apiKeyEnv: RUNTIMES[id].apiKey.env })]));
    expect(paths).toEqual({ vllm: '/metrics', tgi: '/metrics', tei: '/metrics', llamacpp: null, ollama: null, 'embedded-llamacpp': '/metrics' });
  });

  it('scrapes llama.cpp’s server run without a key', () => {
    expect(scrapeMetricsPath({ id: 'llamacpp', metricsPath: '/metrics', apiKeyEnv: null })).toBe('/metrics');
  });
});
