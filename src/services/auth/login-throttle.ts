/**
 * Counts failed logins per key in a fixed window. After `maxFailures` the key is refused
 * until the window that started with its first failure ends. In memory: one instance.
 */
export interface LoginThrottle {
  /** Milliseconds until the key may try again; 0 when it may try now. */
  retryAfterMs(keys: string[]): number;
  recordFailure(keys: string[]): void;
  reset(keys: string[]): void;
  /** Forgets windows that ended, so memory stays bounded. */
  prune(): number;
}

export function createLoginThrottle(options: { maxFailures: number; windowMs: number; now?: () => number }): LoginThrottle {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { failures: number; windowStart: number }>();

  const active = (key: string) => {
    const entry = entries.get(key);
    if (entry && now() - entry.windowStart >= options.windowMs) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    retryAfterMs(keys) {
      let wait = 0;
      for (const key of keys) {
        const entry = active(key);
        const limit = key.startsWith('ip:') ? options.maxFailures * 10 : options.maxFailures;
        if (entry && entry.failures >= limit) wait = Math.max(wait, entry.windowStart + options.windowMs - now());
      }
      return wait;
    },
    recordFailure(keys) {
      for (const key of keys) {
        const entry = active(key);
        if (entry) entry.failures += 1;
        else entries.set(key, { failures: 1, windowStart: now() });
      }
    },
    reset(keys) {
      for (const key of keys) entries.delete(key);
    },
    prune() {
      let removed = 0;
      for (const key of [...entries.keys()]) {
        if (!active(key)) removed += 1;
      }
      return removed;
    },
  };
}

/** Keys for one login attempt: the (username, address) pair and the address alone. */
export function loginThrottleKeys(username: string, ip: string): string[] {
  return [`user:${username}|${ip}`, `ip:${ip}`];
}
