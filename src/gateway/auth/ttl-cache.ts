/**
 * A small read-through cache for the gateway's hot path: hits never wait, misses load once
 * however many callers ask at the same moment, and changes can be pushed out at any time.
 *
 * - Found values live `ttlMs`, counted from when their load started (so a value is never
 *   older than that). After `refreshAheadMs` a hit still answers at once but reloads in the
 *   background, so steady traffic never waits for a reload.
 * - "Not found" lives `negativeTtlMs` in a map of its own, so a flood of unknown keys cannot
 *   push the known ones out.
 * - `invalidate` and `clear` also discard loads already in flight: a load that started before
 *   a change must not store what it read before the change.
 */
export interface TtlCache<K, V> {
  get(key: K): Promise<V | undefined>;
  invalidate(key: K): void;
  /** Drops every found value that matches, and every load in flight. */
  invalidateWhere(match: (value: V) => boolean): void;
  clear(): void;
  readonly size: number;
}

export interface TtlCacheOptions<K, V> {
  load: (key: K) => Promise<V | undefined>;
  ttlMs: number;
  /** 0 = "not found" is not cached. */
  negativeTtlMs: number;
  refreshAheadMs?: number;
  maxEntries: number;
  maxNegativeEntries?: number;
  /** Milliseconds, any epoch. */
  now: () => number;
  /** A background refresh failed; the cached value stays until its TTL ends. */
  onRefreshError?: (error: unknown) => void;
}

interface Entry<V> {
  value: V;
  loadedAt: number;
}

export function createTtlCache<K, V>(options: TtlCacheOptions<K, V>): TtlCache<K, V> {
  const { ttlMs, negativeTtlMs, refreshAheadMs, maxEntries, now } = options;
  const maxNegative = options.maxNegativeEntries ?? maxEntries;
  const found = new Map<K, Entry<V>>();
  const missing = new Map<K, number>();
  const inflight = new Map<K, Promise<V | undefined>>();
  // Bumped by every invalidation; a load stores its result only if none happened meanwhile.
  let epoch = 0;

  const evictOldest = <T>(map: Map<K, T>, max: number) => {
    while (map.size > max) {
      const oldest = map.keys().next();
      if (oldest.done) return;
      map.delete(oldest.value);
    }
  };

  const load = (key: K): Promise<V | undefined> => {
    const running = inflight.get(key);
    if (running) return running;
    const startedAt = now();
    const startEpoch = epoch;
    const promise: Promise<V | undefined> = options
      .load(key)
      .then((value) => {
        if (inflight.get(key) === promise && epoch === startEpoch) {
          if (value === undefined) {
            found.delete(key);
            if (negativeTtlMs > 0) {
              missing.delete(key);
              missing.set(key, startedAt + negativeTtlMs);
              evictOldest(missing, maxNegative);
            }
          } else {
            missing.delete(key);
            found.delete(key);
            found.set(key, { value, loadedAt: startedAt });
            evictOldest(found, maxEntries);
          }
        }
        return value;
      })
      .finally(() => {
        if (inflight.get(key) === promise) inflight.delete(key);
      });
    inflight.set(key, promise);
    return promise;
  };

  return {
    get(key) {
      const at = now();
      const entry = found.get(key);
      if (entry) {
        const age = at - entry.loadedAt;
        if (age < ttlMs) {
          if (refreshAheadMs !== undefined && age >= refreshAheadMs && !inflight.has(key)) {
            load(key).catch((error: unknown) => options.onRefreshError?.(error));
          }
          return Promise.resolve(entry.value);
        }
        found.delete(key);
      } else {
        const until = missing.get(key);
        if (until !== undefined) {
          if (at < until) return Promise.resolve(undefined);
          missing.delete(key);
        }
      }
      return load(key);
    },
    invalidate(key) {
      epoch += 1;
      found.delete(key);
      missing.delete(key);
      inflight.delete(key);
    },
    invalidateWhere(match) {
      epoch += 1;
      inflight.clear();
      for (const [key, entry] of found) if (match(entry.value)) found.delete(key);
    },
    clear() {
      epoch += 1;
      found.clear();
      missing.clear();
      inflight.clear();
    },
    get size() {
      return found.size;
    },
  };
}
