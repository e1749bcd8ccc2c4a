import type { BackgroundLoop } from './interval-loop.js';
import type { LeaderElector } from './leadership.js';

/** Where background loops plug in so shutdown can stop them all before draining HTTP. */
export interface LoopRegistry {
  add(loop: BackgroundLoop): void;
  startAll(): void;
  stopAll(): Promise<void>;
  names(): string[];
}

/**
 * `leader`: the election that leader-only loops follow. It starts trying with the loops and lets
 * go only after every loop stopped, so the next leader's loops never overlap this one's.
 */
export function createLoopRegistry(options: { leader?: LeaderElector } = {}): LoopRegistry {
  const loops: BackgroundLoop[] = [];
  let started = false;
  return {
    add(loop) {
      if (loops.some((existing) => existing.name === loop.name)) {
        throw new Error(`A loop named "${loop.name}" is already registered.`);
      }
      loops.push(loop);
      if (started) loop.start();
    },
    startAll() {
      started = true;
      options.leader?.start();
      for (const loop of loops) loop.start();
    },
    async stopAll() {
      started = false;
      await Promise.all(loops.map((loop) => loop.stop()));
      await options.leader?.stop();
    },
    names: () => loops.map((loop) => loop.name),
  };
}
