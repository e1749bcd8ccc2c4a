import { describe, expect, it } from 'vitest';
import { createTtlCache, type TtlCacheOptions } from './ttl-cache.js';

/** A cache over a fake store whose answers the test controls, with a clock it moves by hand. */
function setup(overrides: Partial<TtlCacheOptions<string, string>> = {}) {
  const store = new Map<string, string>();
  const loads: string[] = [];
  const clock = { ms: 1_000_000 };
  let gate: Promise<void> | undefined;
  /** Set to make every load fail with it (the store is down). */
  const failing: { error?: Error } = {};
  const cache = createTtlCache<string, string>({
    load: async (key) => {
      loads.push(key);
      if (failing.error) throw failing.error;
      const value = store.get(key);
      if (gate) await gate;
      return value;
    },
    ttlMs: 30_000,
    negativeTtlMs: 5_000,
    maxEntries: 100,
    now: () => clock.ms,
    ...overrides,
  });
  /** Holds every load started from now on until the returned function is called. */
  const hold = () => {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    return () => {
      gate = undefined;
      release();
    };
  };
  return { cache, store, loads, clock, hold, failing };
}

describe('createTtlCache', () => {
  it('answers from memory within the TTL and loads again after it', async () => {
    const { cache, store, loads, clock } = setup();
    store.set('a', 'one');
    expect(await cache.get('a')).toBe('one');
    store.set('a', 'two');
    clock.ms += 29_999;
    expect(await cache.get('a')).toBe('one');
    expect(loads).toEqual(['a']);
    clock.ms += 1;
    expect(await cache.get('a')).toBe('two');
    expect(loads).toEqual(['a', 'a']);
  });

  it('loads once for any number of callers asking at the same moment', async () => {
    const { cache, store, loads, hold } = setup();
    store.set('a', 'one');
    const release = hold();
    const answers = Promise.all([cache.get('a'), cache.get('a'), cache.get('a')]);
    release();
    expect(await answers).toEqual(['one', 'one', 'one']);
    expect(loads).toEqual(['a']);
  });

  it('remembers "not found" for the negative TTL only', async () => {
    const { cache, store, loads, clock } = setup();
    expect(await cache.get('ghost')).toBeUndefined();
    store.set('ghost', 'now here');
    clock.ms += 4_999;
    expect(await cache.get('ghost')).toBeUndefined();
    expect(loads).toEqual(['ghost']);
    clock.ms += 1;
    expect(await cache.get('ghost')).toBe('now here');
  });

  it('does not remember "not found" when the negative TTL is 0', async () => {
    const { cache, loads } = setup({ negativeTtlMs: 0 });
    await cache.get('ghost');
    await cache.get('ghost');
    expect(loads).toEqual(['ghost', 'ghost']);
  });

  it('counts the TTL from when the load started, so a slow load cannot stretch it', async () => {
    const { cache, store, loads, clock, hold } = setup({ ttlMs: 1_000 });
    store.set('a', 'one');
    const release = hold();
    const first = cache.get('a');
    clock.ms += 600;
    release();
    await first;
    clock.ms += 400;
    await cache.get('a');
    expect(loads).toEqual(['a', 'a']);
  });

  it('refreshes in the background after refreshAheadMs while still answering from memory', async () => {
    const { cache, store, loads, clock, hold } = setup({ ttlMs: 1_000, refreshAheadMs: 500 });
    store.set('u', 'enabled');
    await cache.get('u');
    store.set('u', 'disabled');
    clock.ms += 500;
    const release = hold();
    // The hit answers the cached value at once; the refresh it started is still held.
    expect(await cache.get('u')).toBe('enabled');
    expect(await cache.get('u')).toBe('enabled');
    expect(loads).toEqual(['u', 'u']);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.get('u')).toBe('disabled');
    expect(loads).toEqual(['u', 'u']);
  });

  it('forgets a value on invalidate, and a load in flight when it happened does not store its stale answer', async () => {
    const { cache, store, loads, hold } = setup();
    store.set('k', 'active');
    const release = hold();
    const stale = cache.get('k');
    store.set('k', 'revoked');
    cache.invalidate('k');
    release();
    // The caller that asked before the change gets what was read before it…
    expect(await stale).toBe('active');
    // …but the cache did not keep it.
    expect(await cache.get('k')).toBe('revoked');
    expect(loads).toEqual(['k', 'k']);
  });

  it('drops the values a predicate matches and keeps the others', async () => {
    const { cache, store, loads } = setup();
    store.set('a', 'key-1');
    store.set('b', 'key-2');
    await cache.get('a');
    await cache.get('b');
    cache.invalidateWhere((value) => value === 'key-1');
    await cache.get('a');
    await cache.get('b');
    expect(loads).toEqual(['a', 'b', 'a']);
  });

  it('forgets everything on clear', async () => {
    const { cache, store, loads } = setup();
    store.set('a', 'one');
    await cache.get('a');
    await cache.get('ghost');
    cache.clear();
    await cache.get('a');
    await cache.get('ghost');
    expect(loads).toEqual(['a', 'ghost', 'a', 'ghost']);
  });

  it('evicts the oldest value beyond maxEntries, and unknown keys never evict known ones', async () => {
    const { cache, store, loads } = setup({ maxEntries: 2, maxNegativeEntries: 1 });
    for (const key of ['a', 'b', 'c']) store.set(key, key);
    await cache.get('a');
    await cache.get('b');
    for (let i = 0; i < 10; i += 1) await cache.get(`ghost-${i}`);
    await cache.get('a');
    await cache.get('b');
    expect(loads.filter((key) => !key.startsWith('ghost'))).toEqual(['a', 'b']);
    await cache.get('c');
    await cache.get('a');
    expect(loads.filter((key) => !key.startsWith('ghost'))).toEqual(['a', 'b', 'c', 'a']);
    expect(cache.size).toBe(2);
  });

  it('does not cache a failed load: the next caller tries again', async () => {
    let fail = true;
    const loads: string[] = [];
    const cache = createTtlCache<string, string>({
      load: async (key) => {
        loads.push(key);
        if (fail) throw new Error('database down');
        return 'value';
      },
      ttlMs: 30_000,
      negativeTtlMs: 5_000,
      maxEntries: 10,
      now: () => 0,
    });
    await expect(cache.get('a')).rejects.toThrow('database down');
    fail = false;
    expect(await cache.get('a')).toBe('value');
    expect(loads).toEqual(['a', 'a']);
  });

  describe('staleIfError', () => {
    const UNREACHABLE = new Error('unreachable');
    const BUG = new Error('bug');
    const outage = () =>
      setup({ ttlMs: 1_000, refreshAheadMs: 500, negativeTtlMs: 1_000, staleIfError: { maxStaleMs: 10_000, isTransient: (error) => error === UNREACHABLE, retryMs: 1_000 } });

    it('keeps answering an expired value while reloads fail transiently, for maxStaleMs past its TTL', async () => {
      const { cache, store, clock, failing } = outage();
      store.set('k', 'cached');
      await cache.get('k');
      failing.error = UNREACHABLE;
      clock.ms += 1_000;
      expect(await cache.get('k')).toBe('cached');
      clock.ms += 9_999;
      expect(await cache.get('k')).toBe('cached');
      clock.ms += 1;
      await expect(cache.get('k')).rejects.toThrow('unreachable');
    });

    it('answers at once after the first failure and retries in the background at most every retryMs', async () => {
      const { cache, store, loads, clock, failing } = outage();
      store.set('k', 'cached');
      await cache.get('k');
      failing.error = UNREACHABLE;
      clock.ms += 1_000;
      expect(await cache.get('k')).toBe('cached');
      expect(loads).toEqual(['k', 'k']);
      for (let i = 0; i < 5; i += 1) expect(await cache.get('k')).toBe('cached');
      expect(loads).toEqual(['k', 'k']);
      clock.ms += 1_000;
      delete failing.error;
      store.set('k', 'fresh');
      expect(await cache.get('k')).toBe('cached');
      await new Promise((resolve) => setImmediate(resolve));
      expect(await cache.get('k')).toBe('fresh');
      expect(loads).toEqual(['k', 'k', 'k']);
    });

    it('does not answer stale for errors that are not transient, nor after an invalidation, nor for unknown keys', async () => {
      const { cache, store, clock, failing } = outage();
      store.set('k', 'cached');
      store.set('j', 'cached');
      await cache.get('k');
      await cache.get('j');
      clock.ms += 1_000;
      failing.error = BUG;
      await expect(cache.get('k')).rejects.toThrow('bug');
      failing.error = UNREACHABLE;
      cache.invalidate('j');
      await expect(cache.get('j')).rejects.toThrow('unreachable');
      await expect(cache.get('never-seen')).rejects.toThrow('unreachable');
    });
  });
});
