import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../lib/logger.js';
import type { AdmitResult, RateLimitState, RateLimiter, RateSubject, TokenRequest, TokenReservation } from '../gateway-contracts.js';
import {
  asRecord,
  createReservation,
  DEFAULT_RESERVATION_TTL_MS,
  normalizeSubject,
  normalizeSubjects,
  normalizeTokens,
  refusedResult,
  secondsOf,
  tightestState,
  tokenRange,
  type SubjectStates,
} from './limit-math.js';
import { ADMIT_SCRIPT, SETTLE_SCRIPT, USAGE_SCRIPT } from './redis-scripts.js';

export interface RedisRateLimiterOptions {
  redisUrl: string;
  /** Prepended to every key (default `hmas:`). */
  keyPrefix?: string;
  reservationTtlMs?: number;
  logger?: Logger;
  /** Test only: milliseconds added to Redis `TIME`, so tests can move time forward without sleeping. */
  clockOffsetMs?: () => number;
}

interface Script {
  source: string;
  sha: string;
}

const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });
const SCRIPTS = { admit: script(ADMIT_SCRIPT), settle: script(SETTLE_SCRIPT), usage: script(USAGE_SCRIPT) };

/** How often a Redis connection error is logged at most (ioredis retries on its own). */
const ERROR_LOG_INTERVAL_MS = 10_000;
/**
 * The longest a command may take, queued while connecting included. A script takes well under a
 * millisecond; this bounds a request's wait on a Redis that accepts connections but does not answer.
 */
const COMMAND_TIMEOUT_MS = 500;
/** After a command timed out, calls fail at once for this long: a hung Redis costs one wait per interval, not one per request. */
const PAUSE_AFTER_TIMEOUT_MS = 1_000;

/** Thrown at once, without a round trip, while the connection to Redis is known to be down. */
class RedisUnreachableError extends Error {
  constructor() {
    super('Redis is unreachable (the rate limiter is reconnecting)');
    this.name = 'RedisUnreachableError';
  }
}

/**
 * The Redis backend: every admission is one EVALSHA of one Lua script over all subjects, so
 * instances sharing a Redis admit exactly `limit` requests between them. While Redis is
 * unreachable every call rejects fast — at once once a connection attempt has failed, else
 * within COMMAND_TIMEOUT_MS — and the gateway fails open or closed (HMAS_RATE_LIMIT_FAILURE_MODE).
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter & { readonly backend: 'redis' } {
  const prefix = options.keyPrefix ?? 'hmas:';
  const reservationTtlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  const offset = options.clockOffsetMs ?? (() => 0);
  const redis = new Redis(options.redisUrl, {
    // Requests issued in the same tick share one round trip.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 5_000,
    // A command that times out may still run after a reconnect: it then spends a request or
    // tokens that were not served, which errs on the strict side.
    commandTimeout: COMMAND_TIMEOUT_MS,
  });
  // Down from a failed or lost connection until the next `ready`. The first connection attempt
  // counts as up, so requests at start-up wait for it (within the command timeout). A Redis that
  // is connected but does not answer pauses calls after each timeout instead.
  let down = false;
  let pausedUntil = 0;
  redis.on('ready', () => (down = false));
  redis.on('close', () => (down = true));
  let lastErrorLog = 0;
  redis.on('error', (error: Error) => {
    const at = Date.now();
    if (at - lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    lastErrorLog = at;
    options.logger?.warn({ err: error }, 'rate limiter cannot reach Redis');
  });
  const instance = randomBytes(6).toString('base64url');
  let nextId = 0;

  const keysOf = (subject: RateSubject) => {
    const base = `${prefix}rl:{${subject.kind}:${subject.id}}`;
    return [`${base}:b`, `${base}:w`, `${base}:z`] as const;
  };

  /** EVALSHA; on NOSCRIPT (first use, or after a Redis restart/flush) EVAL loads it once. */
  async function run(which: Script, keys: string[], args: Array<string | number>): Promise<number[]> {
    if (down || Date.now() < pausedUntil) throw new RedisUnreachableError();
    try {
      return (await redis.evalsha(which.sha, keys.length, ...keys, ...args)) as number[];
    } catch (error) {
      if (error instanceof Error && error.message === 'Command timed out') pausedUntil = Date.now() + PAUSE_AFTER_TIMEOUT_MS;
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (await redis.eval(which.source, keys.length, ...keys, ...args)) as number[];
    }
  }

  const state = (limit: number, remaining: number, resetMs: number): RateLimitState | null =>
    remaining < 0 ? null : { limit, remaining, resetSeconds: secondsOf(resetMs) };

  return {
    backend: 'redis',

    async admit(requested: RateSubject[], requestedTokens: number | TokenRequest): Promise<AdmitResult> {
      const subjects = normalizeSubjects(requested);
      const range = tokenRange(requestedTokens);
      const id = `${instance}.${(nextId += 1)}`;
      const keys: string[] = [];
      const args: Array<string | number> = [subjects.length, range.min, range.max, id, reservationTtlMs, offset()];
      for (const subject of subjects) {
        keys.push(...keysOf(subject));
        args.push(subject.rpm, subject.tpm);
      }
      const reply = await run(SCRIPTS.admit, keys, args);
      if (reply[0] === 0) {
        const [, reason, index, retryMs, limit, remaining, resetMs] = reply as [number, number, number, number, number, number, number];
        return refusedResult(subjects, {
          index: index - 1,
          reason: reason === 1 ? 'rpm' : 'tpm',
          retryMs,
          state: { limit, remaining, resetSeconds: secondsOf(resetMs) },
        });
      }
      const granted = reply[1]!;
      const states: SubjectStates[] = subjects.map((subject, index) => {
        const at = 2 + index * 4;
        return { rpm: state(subject.rpm, reply[at]!, reply[at + 1]!), tpm: state(subject.tpm, reply[at + 2]!, reply[at + 3]!) };
      });
      const amounts = subjects.map((subject) => (subject.tpm > 0 ? granted : 0));
      return { allowed: true, reservation: createReservation(id, subjects, amounts), headers: tightestState(states) };
    },

    async settle(reservation: TokenReservation, actualTokens: number): Promise<void> {
      const record = asRecord(reservation);
      if (record.settled) return;
      record.settled = true;
      const limited = record.subjects.filter((subject) => subject.tpm > 0);
      if (limited.length === 0) return;
      const keys = limited.flatMap((subject) => {
        const [, window, reservations] = keysOf(subject);
        return [window, reservations];
      });
      await run(SCRIPTS.settle, keys, [limited.length, record.id, normalizeTokens(actualTokens), offset(), reservationTtlMs]);
    },

    async usage(requested: RateSubject) {
      const subject = normalizeSubject(requested);
      if (subject.rpm === 0 && subject.tpm === 0) return { rpm: null, tpm: null };
      const reply = await run(SCRIPTS.usage, [...keysOf(subject)], [subject.rpm, subject.tpm, offset()]);
      return { rpm: state(subject.rpm, reply[0]!, reply[1]!), tpm: state(subject.tpm, reply[2]!, reply[3]!) };
    },

    async close() {
      if (redis.status === 'ready') {
        await redis.quit().catch(() => redis.disconnect());
      } else {
        redis.disconnect();
      }
    },
  };
}
