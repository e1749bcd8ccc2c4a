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
 * - With `staleIfError`, a value whose reload fails with a transient error (the database is
 *   unreachable) keeps answering for up to `maxStaleMs` past its TTL, as HTTP's
 *   `stale-if-error`: the first failure is waited for, later hits answer at once while a reload
 *   is tried in the background at most every `retryMs`. Invalidation still drops it at once.
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
  /** A background refresh failed; the cached value stays until its TTL ends (or its stale time). */
  onRefreshError?: (error: unknown) => void;
  staleIfError?: StaleIfError;
}

export interface StaleIfError {
  /** How long past its TTL a value may answer while reloads fail transiently. */
  maxStaleMs: number;
  /** Which load errors are transient (an outage), not an answer. */
  isTransient: (error: unknown) => boolean;
  /** Reloads of a stale value are tried at most this often (default 1 s). */
  retryMs?: number;
}

interface Entry<V> {
  value: V;
  loadedAt: number;
  /** When its last reload failed transiently; unset while reloads succeed. */
  failedAt?: number;
}

export function createTtlCache<K, V>(options: TtlCacheOptions<K, V>): TtlCache<K, V> {
  const { ttlMs, negativeTtlMs, refreshAheadMs, maxEntries, now, staleIfError } = options;
  const retryMs = staleIfError?.retryMs ?? 1_000;
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
      .catch((error: unknown) => {
        const entry = found.get(key);
        if (entry && epoch === startEpoch && staleIfError?.isTransient(error)) entry.failedAt = now();
        throw error;
      })
      .finally(() => {
        if (inflight.get(key) === promise) inflight.delete(key);
      });
    inflight.set(key, promise);
    return promise;
  };

  const backgroundLoad = (key: K) => {
    load(key).catch((error: unknown) => options.onRefreshError?.(error));
  };
  const mayRetry = (entry: Entry<V>, at: number) => entry.failedAt === undefined || at - entry.failedAt >= retryMs;

  /** An expired value within its stale time: reloaded, and answered again if the reload fails transiently. */
  const staleOrReload = (key: K, entry: Entry<V>, at: number): Promise<V | undefined> => {
    if (entry.failedAt !== undefined) {
      if (mayRetry(entry, at) && !inflight.has(key)) backgroundLoad(key);
      return Promise.resolve(entry.value);
    }
    return load(key).catch((error: unknown) => {
      if (staleIfError?.isTransient(error) && found.get(key) === entry) return entry.value;
      throw error;
    });
  };

  return {
    get(key) {
      const at = now();
      const entry = found.get(key);
      if (entry) {
        const age = at - entry.loadedAt;
        if (age < ttlMs) {
          if (refreshAheadMs !== undefined && age >= refreshAheadMs && !inflight.has(key) && mayRetry(entry, at)) backgroundLoad(key);
          return Promise.resolve(entry.value);
        }
        if (staleIfError && age < ttlMs + staleIfError.maxStaleMs) return staleOrReload(key, entry, at);
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
