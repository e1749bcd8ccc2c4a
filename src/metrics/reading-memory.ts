import type { Sample } from './exposition.js';
import type { ReadingPair } from './live-evaluate.js';

interface Reading {
  at: number;
  samples: readonly Sample[];
}

/**
 * The last readings of each source (a replica's /metrics, the gateway's registry), in memory, so
 * a live snapshot can turn counters into rates. The baseline of a new reading is the newest one
 * at least `windowMs` older (a rate over about a minute, like `rate(…[1m])`), else the oldest
 * kept: snapshots polled every few seconds get a steady rate, not one over the last poll gap.
 * Sources not read for `forgetAfterMs` are dropped, so replicas that went away do not pile up.
 */
export function createReadingMemory(options: { windowMs?: number; forgetAfterMs?: number; now?: () => number } = {}) {
  const windowMs = options.windowMs ?? 60_000;
  const forgetAfterMs = options.forgetAfterMs ?? 10 * 60_000;
  const now = options.now ?? (() => Date.now());
  const bySource = new Map<string, Reading[]>();

  function forgetOld(at: number): void {
    for (const [key, readings] of bySource) if (at - readings.at(-1)!.at > forgetAfterMs) bySource.delete(key);
  }

  return {
    now,
    /** Keeps a reading of `source` taken now and returns it with its baseline. */
    record(source: string, samples: readonly Sample[]): ReadingPair {
      const at = now();
      forgetOld(at);
      const kept = bySource.get(source) ?? [];
      // Keep the newest reading at least a window old, and everything newer.
      let first = 0;
      for (let i = 0; i < kept.length; i += 1) if (kept[i]!.at <= at - windowMs) first = i;
      const readings = kept.slice(first).filter((reading) => reading.at < at);
      const baseline = readings[0];
      readings.push({ at, samples });
      bySource.set(source, readings.slice(-64));
      return { current: { at, samples }, ...(baseline ? { baseline } : {}) };
    },
    /** How many sources are remembered (for tests and bounds). */
    size: () => bySource.size,
  };
}

export type ReadingMemory = ReturnType<typeof createReadingMemory>;
