import { describe, expect, it } from 'vitest';
import { crashesAfterExit, DEFAULT_BACKOFF, isCrashLoop, restartDelayMs } from './backoff.js';

describe('restart back-off', () => {
  it('doubles the delay with each consecutive crash: 1 s, 2 s, 4 s, 8 s …', () => {
    expect([1, 2, 3, 4, 5].map((crashes) => restartDelayMs(crashes, DEFAULT_BACKOFF))).toEqual([1000, 2000, 4000, 8000, 16_000]);
  });

  it('caps the delay at five minutes, like the kubelet, even after very many crashes', () => {
    expect(restartDelayMs(9, DEFAULT_BACKOFF)).toBe(256_000);
    expect(restartDelayMs(10, DEFAULT_BACKOFF)).toBe(300_000);
    expect(restartDelayMs(10_000, DEFAULT_BACKOFF)).toBe(300_000);
  });

  it('scales with the initial delay and cap it is given', () => {
    const policy = { ...DEFAULT_BACKOFF, initialMs: 100, maxMs: 350 };
    expect([1, 2, 3, 4].map((crashes) => restartDelayMs(crashes, policy))).toEqual([100, 200, 350, 350]);
  });

  it('reports CrashLoopBackOff from the third consecutive crash on', () => {
    expect([1, 2, 3, 4].map((crashes) => isCrashLoop(crashes, DEFAULT_BACKOFF))).toEqual([false, false, true, true]);
  });

  it('counts crashes in a row, and starts again from one after a run longer than the reset threshold', () => {
    expect(crashesAfterExit(0, 500, DEFAULT_BACKOFF)).toBe(1);
    expect(crashesAfterExit(2, 500, DEFAULT_BACKOFF)).toBe(3);
    expect(crashesAfterExit(7, DEFAULT_BACKOFF.resetAfterMs - 1, DEFAULT_BACKOFF)).toBe(8);
    expect(crashesAfterExit(7, DEFAULT_BACKOFF.resetAfterMs, DEFAULT_BACKOFF)).toBe(1);
  });
});
