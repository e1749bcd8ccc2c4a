import type { Logger } from '../../lib/logger.js';
import type { RateLimiter } from '../gateway-contracts.js';
import { createMemoryRateLimiter } from './memory-limiter.js';
import { createRedisRateLimiter } from './redis-limiter.js';

export { effectiveSubjects, resolveLimits, type LimitOverrides, type ResolvedLimits } from './effective-subjects.js';
export { MAX_RATE_LIMIT } from './limit-math.js';

export type RateLimitBackend = 'memory' | 'redis';

export interface RateLimiterOptions {
  /** Redis URL: state shared by every instance. Unset = in memory (one instance). */
  redisUrl?: string | undefined;
  /** Redis key prefix (default `hmas:`); keys are `<prefix>rl:{<kind>:<id>}:<b|w|z>`. */
  keyPrefix?: string;
  /** Memory backend clock in epoch milliseconds (default Date.now). Redis uses its own `TIME`. */
  now?: () => number;
  /** How long an unsettled TPM reservation counts before it is dropped (default 10 min). */
  reservationTtlMs?: number;
  logger?: Logger;
  /** Test only, Redis backend: milliseconds added to Redis `TIME`. */
  redisClockOffsetMs?: () => number;
}

/** Memory backend without `redisUrl`, Redis backend with it. */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter & { readonly backend: RateLimitBackend } {
  if (!options.redisUrl) {
    return createMemoryRateLimiter({
      ...(options.now ? { now: options.now } : {}),
      ...(options.reservationTtlMs !== undefined ? { reservationTtlMs: options.reservationTtlMs } : {}),
    });
  }
  return createRedisRateLimiter({
    redisUrl: options.redisUrl,
    ...(options.keyPrefix !== undefined ? { keyPrefix: options.keyPrefix } : {}),
    ...(options.reservationTtlMs !== undefined ? { reservationTtlMs: options.reservationTtlMs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.redisClockOffsetMs ? { clockOffsetMs: options.redisClockOffsetMs } : {}),
  });
}
