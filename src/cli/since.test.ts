import { describe, expect, it } from 'vitest';
import { parseSince } from './since.js';

describe('parseSince', () => {
  const now = new Date('2030-01-10T12:00:00Z');

  it('takes a duration back from now, or a time with offset', () => {
    expect(parseSince('90s', now).toISOString()).toBe('2030-01-10T11:58:30.000Z');
    expect(parseSince('30m', now).toISOString()).toBe('2030-01-10T11:30:00.000Z');
    expect(parseSince('24h', now).toISOString()).toBe('2030-01-09T12:00:00.000Z');
    expect(parseSince('7d', now).toISOString()).toBe('2030-01-03T12:00:00.000Z');
    expect(parseSince('2030-01-01T08:00:00+02:00', now).toISOString()).toBe('2030-01-01T06:00:00.000Z');
  });

  it('refuses anything else with a sentence naming the forms it takes', () => {
    for (const value of ['', '24', 'h', '1w', '-1h', 'yesterday', '2030-01-01', '2030-13-45T99:00:00Z']) {
      expect(() => parseSince(value, now), value).toThrow(/is not a duration \(90s, 30m, 24h, 7d\) or an ISO 8601 time/);
    }
  });
});
