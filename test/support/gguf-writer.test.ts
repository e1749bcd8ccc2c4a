import { describe, expect, it } from 'vitest';
import { f16Data, f32Data, toHalfBits } from './gguf-writer.js';

describe('gguf-writer tensor data', () => {
  it.each([
    [0, 0x0000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.1, 0x2e66],
    [1 / 3, 0x3555],
    [65504, 0x7bff], // largest half
    [65520, 0x7c00], // rounds up to infinity
    [6.103515625e-5, 0x0400], // smallest normal
    [5.960464477539063e-8, 0x0001], // smallest subnormal
    [2.98e-8, 0x0000], // below half of it: zero
    [1.00048828125, 0x3c00], // halfway between 1 and the next half: to even
    [1.00146484375, 0x3c02], // halfway, odd below: up to even
    [Infinity, 0x7c00],
  ])('writes %d as the half 0x%s', (value, bits) => {
    expect(toHalfBits(value)).toBe(bits);
  });

  it('writes NaN as a quiet NaN', () => {
    const bits = toHalfBits(Number.NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x3ff).not.toBe(0);
  });

  it('lays values out little-endian, as ggml reads them', () => {
    expect([...f32Data([1, -2])]).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    expect([...f16Data([1, -2])]).toEqual([0x00, 0x3c, 0x00, 0xc0]);
  });
});
