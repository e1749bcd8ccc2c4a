import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIntervalLoop, type BackgroundLoop } from './interval-loop.js';

/** A tick whose every run waits until the test lets it finish. */
function controllableTick() {
  const pending: Array<{ finish: () => void; fail: (error: Error) => void; signal: AbortSignal }> = [];
  let running = 0;
  let maxConcurrent = 0;
  const tick = vi.fn(
    (signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        running += 1;
        maxConcurrent = Math.max(maxConcurrent, running);
        const done = () => {
          running -= 1;
        };
        pending.push({
          signal,
          finish: () => {
            done();
            resolve();
          },
          fail: (error) => {
            done();
            reject(error);
          },
        });
      }),
  );
  return {
    tick,
    pending,
    get maxConcurrent() {
      return maxConcurrent;
    },
  };
}

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('createIntervalLoop', () => {
  let loop: BackgroundLoop | undefined;

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    // Every test lets its ticks finish, so stopping never waits on one.
    await loop?.stop();
    loop = undefined;
    vi.useRealTimers();
  });

  it('runs the first tick after one interval, or at once with runImmediately', async () => {
    const later = vi.fn(async () => undefined);
    const soon = vi.fn(async () => undefined);
    const { logger } = capturingLogger();
    const first = createIntervalLoop({ name: 'later', intervalMs: 1000, tick: later, logger });
    loop = createIntervalLoop({ name: 'soon', intervalMs: 1000, tick: soon, logger, runImmediately: true });
    first.start();
    loop.start();

    await vi.advanceTimersByTimeAsync(0);
    expect(soon).toHaveBeenCalledTimes(1);
    expect(later).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(1000);
    expect(later).toHaveBeenCalledTimes(1);
    expect(soon).toHaveBeenCalledTimes(2);
    await first.stop();
  });

  it('never overlaps ticks: a slow tick delays the next instead of piling up', async () => {
    const ticks = controllableTick();
    loop = createIntervalLoop({ name: 'slow', intervalMs: 100, tick: ticks.tick, logger: capturingLogger().logger });
    loop.start();

    await vi.advanceTimersByTimeAsync(100);
    expect(ticks.tick).toHaveBeenCalledTimes(1);
    // Ten intervals pass while the first tick is still running.
    await vi.advanceTimersByTimeAsync(1000);
    expect(ticks.tick).toHaveBeenCalledTimes(1);

    ticks.pending[0]!.finish();
    await vi.advanceTimersByTimeAsync(99);
    expect(ticks.tick).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ticks.tick).toHaveBeenCalledTimes(2);
    ticks.pending[1]!.finish();
    expect(ticks.maxConcurrent).toBe(1);
  });

  it('keeps going after a tick fails, and logs the failure with the loop name', async () => {
    const { logger, lines } = capturingLogger();
    const tick = vi
      .fn<(signal: AbortSignal) => Promise<void>>()
      .mockRejectedValueOnce(new Error('database went away'))
      .mockImplementation(() => {
        throw new Error('synchronous failure');
      });
    loop = createIntervalLoop({ name: 'flaky', intervalMs: 50, tick, logger });
    loop.start();

    await vi.advanceTimersByTimeAsync(50 * 3);
    expect(tick).toHaveBeenCalledTimes(3);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ loop: 'flaky', msg: 'loop tick failed', err: { message: 'database went away' } });
    expect(lines[1]).toMatchObject({ loop: 'flaky', err: { message: 'synchronous failure' } });
  });

  it('stop() aborts the running tick and resolves only once it has finished', async () => {
    const ticks = controllableTick();
    loop = createIntervalLoop({ name: 'stopping', intervalMs: 100, tick: ticks.tick, logger: capturingLogger().logger, runImmediately: true });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(ticks.tick).toHaveBeenCalledTimes(1);
    const running = ticks.pending[0]!;

    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(500);
    expect(running.signal.aborted).toBe(true);
    expect(stopped).toBe(false);

    running.finish();
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ticks.tick).toHaveBeenCalledTimes(1);
  });

  it('stop() waits for a running tick even when that tick then fails', async () => {
    const ticks = controllableTick();
    loop = createIntervalLoop({ name: 'failing-on-stop', intervalMs: 100, tick: ticks.tick, logger: capturingLogger().logger, runImmediately: true });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    const stopping = loop.stop();
    ticks.pending[0]!.fail(new Error('aborted'));
    await expect(stopping).resolves.toBeUndefined();
  });

  it('stop() before the first tick means no tick ever runs', async () => {
    const tick = vi.fn(async () => undefined);
    loop = createIntervalLoop({ name: 'never', intervalMs: 100, tick, logger: capturingLogger().logger });
    loop.start();
    await loop.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(tick).not.toHaveBeenCalled();
  });

  it('start() twice schedules one loop, and start() after stop() resumes it', async () => {
    const tick = vi.fn(async () => undefined);
    loop = createIntervalLoop({ name: 'restart', intervalMs: 100, tick, logger: capturingLogger().logger });
    loop.start();
    loop.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(tick).toHaveBeenCalledTimes(1);

    await loop.stop();
    await vi.advanceTimersByTimeAsync(500);
    expect(tick).toHaveBeenCalledTimes(1);

    loop.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(tick).toHaveBeenCalledTimes(2);
  });

  it('uses injected timers when given', async () => {
    vi.useRealTimers();
    const scheduled: Array<{ fn: () => void; ms: number }> = [];
    const cleared: unknown[] = [];
    const tick = vi.fn(async () => undefined);
    loop = createIntervalLoop({
      name: 'injected',
      intervalMs: 250,
      tick,
      logger: capturingLogger().logger,
      setTimer: (fn, ms) => {
        scheduled.push({ fn, ms });
        return { unref: () => undefined } as unknown as NodeJS.Timeout;
      },
      clearTimer: (timer) => void cleared.push(timer),
    });
    loop.start();
    expect(scheduled.map((entry) => entry.ms)).toEqual([250]);

    scheduled[0]!.fn();
    await vi.waitFor(() => expect(scheduled).toHaveLength(2));
    expect(tick).toHaveBeenCalledTimes(1);
    expect(scheduled[1]!.ms).toBe(250);

    await loop.stop();
    expect(cleared).toHaveLength(1);
  });
});
