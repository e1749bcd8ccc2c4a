import type { BackgroundLoop } from './interval-loop.js';

/** Where background loops plug in so shutdown can stop them all before draining HTTP. */
export interface LoopRegistry {
  add(loop: BackgroundLoop): void;
  startAll(): void;
  stopAll(): Promise<void>;
  names(): string[];
}

export function createLoopRegistry(): LoopRegistry {
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
      for (const loop of loops) loop.start();
    },
    async stopAll() {
      started = false;
      await Promise.all(loops.map((loop) => loop.stop()));
    },
    names: () => loops.map((loop) => loop.name),
  };
}
