import { describe, expect, it } from 'vitest';
import { deploymentMetricsHistoryQuerySchema, METRICS_RANGE_PRESETS, durationSeconds } from '../domain/monitoring.js';
import { defaultStepSeconds, pointsPerSeries, resolveHistoryRange, staleness } from './metrics-history.js';

const NOW = new Date('2030-01-01T12:00:00Z');
const resolve = (query: Record<string, string>) => resolveHistoryRange(deploymentMetricsHistoryQuerySchema.parse(query), NOW);

describe('history range', () => {
  it('defaults to the last hour, every 15 s', () => {
    const range = resolve({});
    expect(range).toEqual({ start: new Date('2030-01-01T11:00:00Z'), end: NOW, stepSeconds: 15 });
    expect(pointsPerSeries(range)).toBe(241);
  });

  it.each([...METRICS_RANGE_PRESETS, '30d'])('picks a round default step giving 120–300 points for %s', (preset) => {
    const points = pointsPerSeries(resolve({ range: preset }));
    expect(points).toBeGreaterThanOrEqual(120);
    expect(points).toBeLessThanOrEqual(301);
  });

  it('takes from–to and an explicit step', () => {
    expect(resolve({ from: '2030-01-01T10:00:00Z', to: '2030-01-01T10:30:00Z', step: '30s' })).toEqual({ start: new Date('2030-01-01T10:00:00Z'), end: new Date('2030-01-01T10:30:00Z'), stepSeconds: 30 });
    expect(durationSeconds('90')).toBe(90);
    expect(defaultStepSeconds(900)).toBe(5);
  });

  it('refuses more than 30 days and more than 11,000 points, naming the limit', () => {
    expect(() => resolve({ range: '31d' })).toThrow(expect.objectContaining({ code: 'METRICS_RANGE_TOO_LONG', statusCode: 400 }));
    expect(() => resolve({ range: '30d' })).not.toThrow();
    expect(() => resolve({ range: '7d', step: '30s' })).toThrow(expect.objectContaining({ code: 'METRICS_TOO_MANY_POINTS', message: expect.stringContaining('at least 55 s') }));
    // 11,000 points exactly is allowed: 10,999 steps.
    expect(() => resolve({ range: '10999s', step: '1s' })).not.toThrow();
    expect(() => resolve({ range: '11000s', step: '1s' })).toThrow(expect.objectContaining({ code: 'METRICS_TOO_MANY_POINTS' }));
  });

  it('refuses malformed or contradictory queries at the schema', () => {
    for (const query of [{ range: '1w' }, { range: '0' }, { step: '-5s' }, { range: '1h', from: '2030-01-01T00:00:00Z' }, { from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z' }, { extra: '1' }]) {
      expect(deploymentMetricsHistoryQuerySchema.safeParse(query).success, JSON.stringify(query)).toBe(false);
    }
  });
});

describe('history staleness', () => {
  const range = { start: new Date(NOW.getTime() - 3_600_000), end: NOW, stepSeconds: 15 };
  const at = (secondsBeforeEnd: number) => NOW.getTime() / 1000 - secondsBeforeEnd;
  it('is fresh when the newest point is near the end, stale with how long when it is not', () => {
    expect(staleness([{ field: 'a', label: '', points: [[at(30), 1]] }], range)).toEqual({ stale: false });
    expect(staleness([{ field: 'a', label: '', points: [[at(600), 1]] }, { field: 'b', label: '', points: [[at(900), 1]] }], range)).toEqual({ stale: true, staleReason: expect.stringContaining('600 s') });
    expect(staleness([], range)).toEqual({ stale: false });
  });
});
