import { describe, expect, it } from 'vitest';
import { parseCount, parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['64', 64],
    ['63500m', 63.5],
    ['527952340Ki', 527952340 * 1024],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['322Gi', 322 * 2 ** 30],
    ['1e3', 1000],
    ['2k', 2000],
    ['500M', 500e6],
    ['.5', 0.5],
    ['100n', 100e-9],
  ])('reads %s as %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 6);
  });

  it.each(['', 'lots', '1Gb', '1..2', 'Gi', undefined, null])('refuses %s', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});

describe('parseCount', () => {
  it('reads whole GPU counts and treats missing or malformed values as 0', () => {
    expect(parseCount('8')).toBe(8);
    expect(parseCount(undefined)).toBe(0);
    expect(parseCount('eight')).toBe(0);
    expect(parseCount('-1')).toBe(0);
  });
});
