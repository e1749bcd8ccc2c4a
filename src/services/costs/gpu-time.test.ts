import { describe, expect, it } from 'vitest';
import { countedTime } from './gpu-time.js';

const at = (time: string) => new Date(`2030-01-01T${time}Z`);

describe('countedTime', () => {
  it('counts nothing without a last count, or when the clock went back', () => {
    expect(countedTime(undefined, at('10:00:00'), 120_000)).toEqual([]);
    expect(countedTime(at('10:01:00'), at('10:00:00'), 120_000)).toEqual([]);
  });
  it('splits the time at hour boundaries', () => {
    expect(countedTime(at('10:59:30'), at('11:00:30'), 120_000)).toEqual([
      { hour: at('10:00:00'), seconds: 30 },
      { hour: at('11:00:00'), seconds: 30 },
    ]);
  });
  it('counts at most the bound of a gap, its latest part', () => {
    expect(countedTime(at('10:00:00'), at('10:30:00'), 120_000)).toEqual([{ hour: at('10:00:00'), seconds: 120 }]);
  });
});
