import type { Logger } from './logger.js';

/** A background loop: started once, stopped on shutdown. */
export interface BackgroundLoop {
  readonly name: string;
  start(): void;
  /** Resolves once no tick is running and none will start. */
  stop(): Promise<void>;
}

export interface IntervalLoopOptions {
  name: string;
  intervalMs: number;
  /** One tick. Errors are logged; the loop keeps going. */
  tick: (signal: AbortSignal) => Promise<void>;
  logger: Logger;
  /** Run the first tick right away instead of after one interval. */
  runImmediately?: boolean;
  setTimer?: (fn: () => void, ms: number) => NodeJS.Timeout;
  clearTimer?: (timer: NodeJS.Timeout) => void;
}

/**
 * Runs `tick` every `intervalMs`. Ticks never overlap: the next one is scheduled when the
 * current one ends, so a slow tick delays the next instead of piling up.
 */
export function createIntervalLoop(options: IntervalLoopOptions): BackgroundLoop {
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer));
  const log = options.logger.child({ loop: options.name });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let abort: AbortController | undefined;
  let stopped = true;

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimer(() => {
      timer = undefined;
      running = runTick().finally(() => {
        running = undefined;
        schedule(options.intervalMs);
      });
    }, ms);
    timer.unref?.();
  };

  const runTick = async () => {
    abort = new AbortController();
    try {
      await options.tick(abort.signal);
    } catch (error) {
      log.error({ err: error }, 'loop tick failed');
    }
  };

  return {
    name: options.name,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(options.runImmediately ? 0 : options.intervalMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimer(timer);
      timer = undefined;
      abort?.abort();
      await running;
    },
  };
}
