import type { GatewayCaller, RateSubject } from '../gateway-contracts.js';
import { staleWhileDatabaseUnreachable } from '../auth/outage-grace.js';
import { createTtlCache } from '../auth/ttl-cache.js';
import { effectiveSubjects } from '../rate-limit/index.js';

interface UserLimits {
  rateLimitRpm: number | null;
  rateLimitTpm: number | null;
}

const NO_OVERRIDES: UserLimits = { rateLimitRpm: null, rateLimitTpm: null };

/**
 * The rate-limit subjects of a caller: its API key (if any) and its user, with their effective
 * limits. A user's own overrides are read from the database at most every `ttlMs` and reloaded
 * in the background while in use, so a changed override applies within about a second and
 * steady traffic never waits for the database.
 */
export function createRateSubjects(deps: {
  users: { findRow(id: string): Promise<UserLimits | undefined> };
  defaults: { rpm: number; tpm: number };
  ttlMs?: number;
  now?: () => number;
}): (caller: GatewayCaller) => Promise<RateSubject[]> {
  const ttlMs = deps.ttlMs ?? 1_000;
  const cache = createTtlCache<string, UserLimits>({
    load: async (id) => {
      const row = await deps.users.findRow(id);
      return row ? { rateLimitRpm: row.rateLimitRpm, rateLimitTpm: row.rateLimitTpm } : undefined;
    },
    ttlMs,
    refreshAheadMs: ttlMs / 2,
    negativeTtlMs: ttlMs,
    maxEntries: 100_000,
    now: deps.now ?? (() => Date.now()),
    // Through a database outage the overrides last read keep applying (not the looser defaults).
    staleIfError: staleWhileDatabaseUnreachable(),
  });
  return async (caller) => effectiveSubjects(caller, (await cache.get(caller.userId)) ?? NO_OVERRIDES, deps.defaults);
}
