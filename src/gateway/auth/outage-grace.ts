import type { Logger } from '../../lib/logger.js';
import { databaseUnreachableReason, isDatabaseUnreachable } from '../../lib/pg-errors.js';
import type { StaleIfError } from './ttl-cache.js';

/**
 * How long past their TTL cached API keys, users and rate-limit overrides keep answering while
 * the database cannot be reached. Inference must not stop because the control plane's database
 * blinked; but a key revoked or a user disabled just before the outage must not stay usable for
 * long either (nothing can be revoked during the outage itself: the database is down).
 */
export const OUTAGE_GRACE_MS = 5 * 60_000;

/** `staleIfError` for the gateway's caches: only an unreachable database is an outage. */
export function staleWhileDatabaseUnreachable(maxStaleMs = OUTAGE_GRACE_MS): StaleIfError {
  return { maxStaleMs, isTransient: isDatabaseUnreachable };
}

/** Background refresh failures come with every request during an outage: one warning per interval, with the count. */
export function refreshFailureLogger(log: Logger, what: string, intervalMs = 10_000): (error: unknown) => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let unlogged = 0;
  return (error) => {
    const at = Date.now();
    if (at - lastAt < intervalMs) {
      unlogged += 1;
      return;
    }
    lastAt = at;
    const reason = databaseUnreachableReason(error);
    if (reason) log.warn({ err: error, failuresSinceLastWarning: unlogged, graceSeconds: OUTAGE_GRACE_MS / 1000 }, `database unreachable (${reason}): serving cached ${what}`);
    else log.warn({ err: error, failuresSinceLastWarning: unlogged }, `background refresh of ${what} failed`);
    unlogged = 0;
  };
}
