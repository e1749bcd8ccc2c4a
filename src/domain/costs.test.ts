import { describe, expect, it } from 'vitest';
import { costQuerySchema, gpuModelNameSchema, gpuModelOnCluster, putGpuPriceSchema, resolveCostRange } from './costs.js';
import { costReportCsv, csvCell } from './costs-csv.js';

describe('gpuModelOnCluster', () => {
  const mixed = [
    { model: 'NVIDIA A100-SXM4-80GB', count: 2 },
    { model: 'NVIDIA H100 80GB HBM3', count: 8 },
    { model: 'NVIDIA A100-SXM4-80GB', count: 4 },
  ];
  it("names the profile's GPU type as the inventory spells it", () => {
    expect(gpuModelOnCluster(mixed, 'nvidia-h100-80gb-hbm3')).toBe('NVIDIA H100 80GB HBM3');
    expect(gpuModelOnCluster(mixed, 'NVIDIA L4')).toBe('NVIDIA L4');
  });
  it('takes the most numerous model without a GPU type, and none without GPUs', () => {
    expect(gpuModelOnCluster(mixed, undefined)).toBe('NVIDIA H100 80GB HBM3');
    expect(gpuModelOnCluster([{ model: 'NVIDIA L4', count: 1 }], undefined)).toBe('NVIDIA L4');
    expect(gpuModelOnCluster([], undefined)).toBe('');
  });
});

describe('gpuModelNameSchema', () => {
  it('takes inventory names and refuses control characters and lone surrogates', () => {
    expect(gpuModelNameSchema.safeParse('NVIDIA H100 80GB HBM3 😀').success).toBe(true);
    for (const bad of ['a\u0000b', 'a\nb', 'a\ud800b', '', 'x'.repeat(201)]) expect(gpuModelNameSchema.safeParse(bad).success).toBe(false);
  });
});

describe('resolveCostRange', () => {
  const now = new Date('2030-06-01T00:00:00Z');
  it('defaults to the last 30 days', () => {
    expect(resolveCostRange({}, now)).toEqual({ from: new Date('2030-05-02T00:00:00Z'), to: now });
  });
  it('refuses more than 400 days and an empty range', () => {
    expect(resolveCostRange({ from: '2029-04-26T23:59:59Z' }, now)).toEqual({ error: expect.stringContaining('400 days') });
    expect(resolveCostRange({ from: '2029-04-27T00:00:00Z' }, now)).toEqual({ from: new Date('2029-04-27T00:00:00Z'), to: now });
    expect(resolveCostRange({ from: '2030-07-01T00:00:00Z' }, now)).toEqual({ error: '"from" must be before "to".' });
  });
  it('refuses from after to in the query schema', () => {
    expect(costQuerySchema.safeParse({ from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z' }).success).toBe(false);
  });
});

describe('putGpuPriceSchema', () => {
  it.each([0, 2.5, 1.123456, 1_000_000])('takes %s', (price) => {
    expect(putGpuPriceSchema.safeParse({ pricePerGpuHour: price, currency: 'USD' }).success).toBe(true);
  });
  it.each([-0.01, 1.1234567, 0.1 + 0.2, 1_000_000.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s', (price) => {
    expect(putGpuPriceSchema.safeParse({ pricePerGpuHour: price, currency: 'USD' }).success).toBe(false);
  });
  it.each(['usd', 'US', 'USDT', 'U$D', ''])('refuses currency %j', (currency) => {
    expect(putGpuPriceSchema.safeParse({ pricePerGpuHour: 1, currency }).success).toBe(false);
  });
});

describe('CSV', () => {
  it('quotes per RFC 4180 and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    for (const risky of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(risky).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("a","b")')).toBe(`"'=HYPERLINK(""a"",""b"")"`);
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(null)).toBe('');
  });
  it('writes a header, the rows and the total with CRLF line ends', () => {
    const row = { kind: 'cluster' as const, id: null, name: 'gpu, east', detail: null, gpuHours: 2, cost: 5, costReason: null, tokens: { prompt: 1, completion: 2, total: 3 }, costPerMillionTokens: 1666666.666667, costPerMillionTokensReason: null };
    const csv = costReportCsv({ groupBy: 'cluster', from: '', to: '', currency: 'USD', rows: [row], total: { ...row, name: 'Total' }, unpricedGpuModels: [], notes: [] });
    expect(csv).toBe(
      'kind,id,name,detail,gpu_hours,cost,currency,prompt_tokens,completion_tokens,total_tokens,cost_per_million_tokens,note\r\n' +
        'cluster,,"gpu, east",,2,5,USD,1,2,3,1666666.666667,\r\n' +
        'cluster,,Total,,2,5,USD,1,2,3,1666666.666667,\r\n',
    );
  });
});
