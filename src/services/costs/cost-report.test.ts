import { describe, expect, it } from 'vitest';
import { buildCostReport, type CostReportInput } from './cost-report.js';

const base: CostReportInput = {
  groupBy: 'deployment',
  from: new Date('2030-01-01T00:00:00Z'),
  to: new Date('2030-01-02T00:00:00Z'),
  usage: [
    { deploymentId: 'd1', deploymentName: 'chat', clusterName: 'east', gpuModel: 'H100', gpuSeconds: 7200 },
    { deploymentId: 'd1', deploymentName: 'chat', clusterName: 'west', gpuModel: 'A100', gpuSeconds: 3600 },
    { deploymentId: 'd2', deploymentName: 'embed', clusterName: 'east', gpuModel: 'H100', gpuSeconds: 3600 },
  ],
  tokens: [
    { deploymentId: 'd1', deploymentName: 'chat', clusterName: 'east', apiKeyId: 'k1', prompt: 600_000, completion: 150_000 },
    { deploymentId: 'd1', deploymentName: 'chat', clusterName: 'west', apiKeyId: null, prompt: 200_000, completion: 50_000 },
  ],
  prices: new Map([
    ['H100', { pricePerGpuHour: 3, currency: 'USD' }],
    ['A100', { pricePerGpuHour: 2, currency: 'USD' }],
  ]),
  keys: new Map([['k1', { name: 'team-a', ownerId: 'u1', ownerUsername: 'alice' }]]),
};

describe('buildCostReport', () => {
  it('prices GPU time per model and divides by tokens per deployment', () => {
    const report = buildCostReport(base);
    expect(report.rows.map((row) => [row.name, row.detail, row.gpuHours, row.cost, row.tokens.total, row.costPerMillionTokens])).toEqual([
      ['chat', 'east, west', 3, 8, 1_000_000, 8],
      ['embed', 'east', 1, 3, 0, null],
    ]);
    expect(report.total).toMatchObject({ kind: 'deployment', name: 'Total', gpuHours: 4, cost: 11, tokens: { total: 1_000_000 }, costPerMillionTokens: 11 });
    expect(report.currency).toBe('USD');
  });
  it('sums per cluster: GPU time where it ran, tokens where they were served', () => {
    const report = buildCostReport({ ...base, groupBy: 'cluster' });
    expect(report.rows.map((row) => [row.name, row.gpuHours, row.cost, row.tokens.total])).toEqual([
      ['east', 3, 9, 750_000],
      ['west', 1, 2, 250_000],
    ]);
  });
  it('splits by token share per API key, sessions and idle GPU time apart, to the same total', () => {
    const report = buildCostReport({ ...base, groupBy: 'apiKey' });
    expect(report.rows.map((row) => [row.kind, row.name, row.detail, row.gpuHours, row.cost])).toEqual([
      ['apiKey', 'team-a', 'alice', 2.25, 6],
      ['idle', 'GPU time without tokens served', null, 1, 3],
      ['session', 'Session requests (no API key)', null, 0.75, 2],
    ]);
    expect(report.total.cost).toBe(11);
  });
  it("shows a viewer other users' keys as one row", () => {
    const report = buildCostReport({ ...base, groupBy: 'apiKey', viewerId: 'u2' });
    expect(report.rows.map((row) => row.kind)).toEqual(['otherUsers', 'idle', 'session']);
  });
  it('leaves the cost unknown, with the reason, where a GPU model has no price', () => {
    const report = buildCostReport({ ...base, prices: new Map([['H100', { pricePerGpuHour: 3, currency: 'USD' }]]) });
    const chat = report.rows.find((row) => row.name === 'chat')!;
    expect(chat).toMatchObject({ cost: null, costPerMillionTokens: null, costPerMillionTokensReason: 'The cost is unknown.' });
    expect(chat.costReason).toContain('"A100"');
    expect(report.unpricedGpuModels).toEqual(['A100']);
    expect(report.total.cost).toBeNull();
    expect(report.currency).toBe('USD');
  });
});
