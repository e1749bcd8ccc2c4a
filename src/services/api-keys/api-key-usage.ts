/**
 * Keeps `lastUsedAt` off the request path: `markUsed` only notes the time in memory, and
 * `flush` writes everything noted since the last flush in one batch.
 */
export interface ApiKeyUsageRecorder {
  markUsed(keyId: string): void;
  /** Writes the noted uses; on failure they are kept for the next flush. */
  flush(): Promise<void>;
  /** Keys noted and not yet written. */
  readonly pending: number;
}

export function createApiKeyUsageRecorder(deps: {
  touch: (uses: ReadonlyArray<{ id: string; at: Date }>) => Promise<void>;
  now?: () => Date;
  /** Keys remembered between flushes; beyond it further keys wait for the next flush. */
  maxPending?: number;
}): ApiKeyUsageRecorder {
  const now = deps.now ?? (() => new Date());
  const maxPending = deps.maxPending ?? 100_000;
  let pending = new Map<string, Date>();

  return {
    markUsed(keyId) {
      if (pending.size >= maxPending && !pending.has(keyId)) return;
      pending.set(keyId, now());
    },
    async flush() {
      if (pending.size === 0) return;
      const batch = pending;
      pending = new Map();
      try {
        await deps.touch([...batch].map(([id, at]) => ({ id, at })));
      } catch (error) {
        // Put them back (a newer use noted meanwhile wins) so the next flush tries again.
        for (const [id, at] of batch) if (!pending.has(id)) pending.set(id, at);
        throw error;
      }
    },
    get pending() {
      return pending.size;
    },
  };
}
