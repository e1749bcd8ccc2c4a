import { describe, expect, it } from 'vitest';
import { normalizeSubjects, retryAfterSeconds, subjectRange, tightestState, tokenRange } from './limit-math.js';

describe('limit math', () => {
  it('picks the RPM state with the fewest requests left for the headers', () => {
    const headers = tightestState([
      { rpm: { limit: 10, remaining: 7, resetSeconds: 18 }, tpm: { limit: 100, remaining: 0, resetSeconds: 40 } },
      { rpm: { limit: 5, remaining: 2, resetSeconds: 36 }, tpm: null },
    ]);
    expect(headers).toEqual({ limit: 5, remaining: 2, resetSeconds: 36 });
  });

  it('falls back to the tightest TPM state when no subject limits RPM, and to none without limits', () => {
    expect(
      tightestState([
        { rpm: null, tpm: { limit: 1000, remaining: 600, resetSeconds: 50 } },
        { rpm: null, tpm: { limit: 5000, remaining: 300, resetSeconds: 50 } },
      ]),
    ).toEqual({ limit: 5000, remaining: 300, resetSeconds: 50 });
    expect(tightestState([{ rpm: null, tpm: null }])).toBeNull();
  });

  it('keeps Retry-After between 1 and 60 seconds', () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(60_000)).toBe(60);
    expect(retryAfterSeconds(61_000)).toBe(60);
  });

  it('reserves at least 1 token and at most the whole limit', () => {
    expect(subjectRange(tokenRange(0), 100)).toEqual({ min: 1, max: 1 });
    expect(subjectRange(tokenRange(40), 100)).toEqual({ min: 40, max: 40 });
    expect(subjectRange(tokenRange(500), 100)).toEqual({ min: 100, max: 100 });
    expect(subjectRange(tokenRange({ min: 30, max: 500 }), 100)).toEqual({ min: 30, max: 100 });
  });

  it('cleans a token range: whole non-negative numbers, max never below min', () => {
    expect(tokenRange({ min: 7.9, max: 3 })).toEqual({ min: 7, max: 7 });
    expect(tokenRange({ min: -1, max: Number.NaN })).toEqual({ min: 0, max: 0 });
    expect(tokenRange(Number.POSITIVE_INFINITY)).toEqual({ min: 0, max: 0 });
  });

  it('drops repeated subjects and turns negative or fractional limits into whole numbers', () => {
    expect(
      normalizeSubjects([
        { kind: 'user', id: 'u', rpm: 2.7, tpm: -5 },
        { kind: 'user', id: 'u', rpm: 1, tpm: 1 },
        { kind: 'key', id: 'u', rpm: Number.NaN, tpm: 10 },
      ]),
    ).toEqual([
      { kind: 'user', id: 'u', rpm: 2, tpm: 0 },
      { kind: 'key', id: 'u', rpm: 0, tpm: 10 },
    ]);
  });
});
