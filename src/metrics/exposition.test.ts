import { describe, expect, it } from 'vitest';
import { parseExposition } from './exposition.js';
import { histogramQuantile } from './histogram-quantile.js';

describe('exposition parser', () => {
  it('reads names with colons, labels with escapes, special values and timestamps', () => {
    const text = [
      '# HELP vllm:num_requests_running Number of requests.',
      '# TYPE vllm:num_requests_running gauge',
      'vllm:num_requests_running{model_name="a \\"quoted\\" \\\\ name\\nx",engine="0"} 3.0',
      'x_bucket{le="+Inf"} 7 1700000000000',
      'y NaN',
      'z -Inf',
      'w 1.5e+3',
      'v{} 2',
      'u{a="1",} 4',
      '',
      '# EOF',
    ].join('\r\n');
    const { samples, skippedLines } = parseExposition(text);
    expect(skippedLines).toBe(0);
    expect(samples[0]).toEqual({ name: 'vllm:num_requests_running', labels: { model_name: 'a "quoted" \\ name\nx', engine: '0' }, value: 3 });
    expect(samples[1]).toEqual({ name: 'x_bucket', labels: { le: '+Inf' }, value: 7 });
    expect(Number.isNaN(samples[2]!.value)).toBe(true);
    expect(samples[3]!.value).toBe(Number.NEGATIVE_INFINITY);
    expect(samples[4]!.value).toBe(1500);
    expect(samples[5]).toEqual({ name: 'v', labels: {}, value: 2 });
    expect(samples[6]).toEqual({ name: 'u', labels: { a: '1' }, value: 4 });
  });

  it('skips malformed lines and counts them, keeping the rest', () => {
    const { samples, skippedLines } = parseExposition(['good 1', 'bad{a="1" 2', 'bad{a=1} 2', '9bad 1', 'bad one', 'bad 1 2 3', 'bad{a="\\q"} 1', 'also_good{a="b"} 2'].join('\n'));
    expect(samples.map((sample) => sample.name)).toEqual(['good', 'also_good']);
    expect(skippedLines).toBe(6);
  });
});

describe('histogram quantile (PromQL semantics)', () => {
  const buckets = [
    { le: 0.1, count: 0 },
    { le: 0.25, count: 10 },
    { le: 0.5, count: 20 },
    { le: Number.POSITIVE_INFINITY, count: 20 },
  ];
  it('interpolates inside the bucket the rank falls in', () => {
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.25, 12);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.475, 12);
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.495, 12);
  });
  it('starts the first bucket at 0 and answers the highest finite bound for the +Inf bucket', () => {
    expect(histogramQuantile(0.5, [{ le: 1, count: 4 }, { le: Number.POSITIVE_INFINITY, count: 4 }])).toBeCloseTo(0.5, 12);
    expect(histogramQuantile(0.99, [{ le: 1, count: 1 }, { le: Number.POSITIVE_INFINITY, count: 10 }])).toBe(1);
  });
  it('is null without observations or without a +Inf bucket', () => {
    expect(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: Number.POSITIVE_INFINITY, count: 0 }])).toBeNull();
    expect(histogramQuantile(0.5, [{ le: 1, count: 3 }])).toBeNull();
  });
});
