import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AdmitResult, RateLimiter, RateSubject, TokenReservation } from '../gateway-contracts.js';
import { createRateLimiter } from './index.js';

/**
 * One contract, three set-ups: the memory backend, the Redis backend, and two Redis limiters
 * sharing one Redis (two server instances) with requests alternating between them.
 * Memory time is injected; Redis time is Redis `TIME` plus an offset the test moves forward,
 * so assertions leave room for the few real milliseconds a test takes.
 */

const REDIS_URL = process.env.TEST_REDIS_URL;
if (process.env.CI && !REDIS_URL) throw new Error('CI is set but TEST_REDIS_URL is not: the Redis rate limit suites would be skipped silently.');
if (!REDIS_URL) console.warn('rate limiter: TEST_REDIS_URL is not set, skipping the Redis suites (e.g. TEST_REDIS_URL=redis://127.0.0.1:6379).');

// Every key of this run lives under its own prefix, deleted at the end.
const PREFIX = `hmas-test:${process.pid}:${randomUUID().slice(0, 8)}:`;
// Memory clock: a whole second, so window buckets line up exactly.
const BASE = Date.UTC(2030, 0, 1);

interface Harness {
  /** The limiter the i-th request goes through. */
  at(i: number): RateLimiter;
  advance(ms: number): void;
  /** The memory clock stands still between calls; Redis time moves a little on its own. */
  exactClock: boolean;
  close(): Promise<void>;
}

interface Setup {
  name: string;
  enabled: boolean;
  open(options?: { reservationTtlMs?: number }): Harness;
}

const SETUPS: Setup[] = [
  {
    name: 'memory',
    enabled: true,
    open(options = {}) {
      let offset = 0;
      const limiter = createRateLimiter({ now: () => BASE + offset, ...options });
      expect(limiter.backend).toBe('memory');
      return { at: () => limiter, advance: (ms) => void (offset += ms), exactClock: true, close: () => limiter.close() };
    },
  },
  {
    name: 'redis',
    enabled: REDIS_URL !== undefined,
    open(options = {}) {
      let offset = 0;
      const limiter = createRateLimiter({ redisUrl: REDIS_URL!, keyPrefix: PREFIX, redisClockOffsetMs: () => offset, ...options });
      expect(limiter.backend).toBe('redis');
      return { at: () => limiter, advance: (ms) => void (offset += ms), exactClock: false, close: () => limiter.close() };
    },
  },
  {
    name: 'two redis instances',
    enabled: REDIS_URL !== undefined,
    open(options = {}) {
      let offset = 0;
      const limiters = [0, 1].map(() => createRateLimiter({ redisUrl: REDIS_URL!, keyPrefix: PREFIX, redisClockOffsetMs: () => offset, ...options }));
      return {
        at: (i) => limiters[i % 2]!,
        advance: (ms) => void (offset += ms),
        exactClock: false,
        close: async () => void (await Promise.all(limiters.map((limiter) => limiter.close()))),
      };
    },
  },
];

const subject = (limits: { rpm?: number; tpm?: number }, kind: 'key' | 'user' = 'user'): RateSubject => ({
  kind,
  id: randomUUID(),
  rpm: limits.rpm ?? 0,
  tpm: limits.tpm ?? 0,
});

/** `count` admissions at once, spread over the harness's instances. */
const admitMany = (h: Harness, count: number, subjects: RateSubject[], estimate = 0) =>
  Promise.all(Array.from({ length: count }, (_, i) => h.at(i).admit(subjects, estimate)));

const allowed = (results: AdmitResult[]) => results.filter((result) => result.allowed).length;

function reservationOf(result: AdmitResult): TokenReservation {
  if (!result.allowed) throw new Error(`expected an admission, got a refusal (${result.reason})`);
  return result.reservation;
}

function refusalOf(result: AdmitResult) {
  if (result.allowed) throw new Error('expected a refusal, got an admission');
  return result;
}

afterAll(async () => {
  if (!REDIS_URL) return;
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
});

for (const setup of SETUPS) {
  describe.skipIf(!setup.enabled)(`rate limiter (${setup.name})${setup.enabled ? '' : ' — skipped: TEST_REDIS_URL is not set'}`, () => {
    const open: Harness[] = [];
    const harness = (options?: { reservationTtlMs?: number }) => {
      const h = setup.open(options);
      open.push(h);
      return h;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((h) => h.close()));
    });

    describe('RPM', () => {
      it('admits exactly L of 200 parallel requests against an RPM limit of L', async () => {
        const h = harness();
        const results = await admitMany(h, 200, [subject({ rpm: 37 })]);
        expect(allowed(results)).toBe(37);
        for (const result of results.filter((r) => !r.allowed)) {
          const refusal = refusalOf(result);
          expect(refusal.reason).toBe('rpm');
          expect(refusal.headers).toMatchObject({ limit: 37, remaining: 0 });
        }
      });

      it('admits exactly the tightest limit when a key and its user must both admit', async () => {
        const h = harness();
        const key = subject({ rpm: 50 }, 'key');
        const user = subject({ rpm: 23 });
        const results = await admitMany(h, 120, [key, user]);
        expect(allowed(results)).toBe(23);
        // The key was charged only for the 23 admitted requests, not for the refused ones.
        expect((await h.at(0).usage(key)).rpm).toMatchObject({ limit: 50, remaining: 27 });
      });

      it('refills one request per 60/rpm seconds and never beyond the limit', async () => {
        const h = harness();
        const user = subject({ rpm: 60 });
        expect(allowed(await admitMany(h, 80, [user]))).toBe(60);
        h.advance(1000);
        expect(allowed(await admitMany(h, 10, [user]))).toBe(1);
        h.advance(10 * 60_000);
        expect(allowed(await admitMany(h, 100, [user]))).toBe(60);
      });

      it('allows a burst of a whole minute and then holds the average rate', async () => {
        const h = harness();
        const user = subject({ rpm: 12 });
        expect(allowed(await admitMany(h, 12, [user]))).toBe(12);
        let later = 0;
        for (let second = 0; second < 30; second += 1) {
          h.advance(1000);
          later += allowed(await admitMany(h, 3, [user]));
        }
        // 12 per minute = one per 5 s: 6 in 30 s.
        expect(later).toBe(6);
      });

      it('answers Retry-After as the time until one request fits, and headers with limit, remaining and reset', async () => {
        const h = harness();
        const user = subject({ rpm: 2 });
        const first = await h.at(0).admit([user], 0);
        expect(first.headers).toEqual({ limit: 2, remaining: 1, resetSeconds: 30 });
        await h.at(1).admit([user], 0);
        const refusal = refusalOf(await h.at(0).admit([user], 0));
        expect(refusal.reason).toBe('rpm');
        expect(refusal.subject).toEqual(user);
        expect(refusal.retryAfterSeconds).toBe(30);
        expect(refusal.headers).toMatchObject({ limit: 2, remaining: 0 });
        expect(refusal.headers.resetSeconds).toBeGreaterThanOrEqual(59);
        expect(refusal.headers.resetSeconds).toBeLessThanOrEqual(60);
      });

      it("reports the tightest subject's numbers in the headers", async () => {
        const h = harness();
        const result = await h.at(0).admit([subject({ rpm: 100 }, 'key'), subject({ rpm: 4 })], 0);
        expect(result.headers).toEqual({ limit: 4, remaining: 3, resetSeconds: 15 });
      });
    });

    describe('unlimited', () => {
      it('treats 0 as unlimited: every request is admitted, without headers or usage', async () => {
        const h = harness();
        const user = subject({ rpm: 0, tpm: 0 });
        const results = await admitMany(h, 300, [user], 5000);
        expect(allowed(results)).toBe(300);
        expect(results[0]!.headers).toBeNull();
        expect(await h.at(0).usage(user)).toEqual({ rpm: null, tpm: null });
      });

      it('limits only the dimensions that are not 0', async () => {
        const h = harness();
        const user = subject({ rpm: 0, tpm: 100 });
        const first = await h.at(0).admit([user], 10);
        expect(first.headers).toEqual({ limit: 100, remaining: 90, resetSeconds: 0 });
        const results = await admitMany(h, 50, [user], 10);
        expect(allowed(results)).toBe(9);
        expect(refusalOf(results.find((r) => !r.allowed)!).reason).toBe('tpm');
      });
    });

    describe('TPM', () => {
      it('lets parallel requests reserve their estimates so they cannot overshoot the limit', async () => {
        const h = harness();
        const user = subject({ tpm: 1000 });
        const results = await admitMany(h, 20, [user], 300);
        expect(allowed(results)).toBe(3);
        for (const result of results.filter((r) => !r.allowed)) expect(refusalOf(result).reason).toBe('tpm');
        expect((await h.at(0).usage(user)).tpm).toMatchObject({ limit: 1000, remaining: 100 });
      });

      it('replaces a reservation by the tokens really used when it is settled, lower or higher', async () => {
        const h = harness();
        const user = subject({ tpm: 1000 });
        const low = reservationOf(await h.at(0).admit([user], 500));
        expect(low.reservedTokens).toBe(500);
        await h.at(1).settle(low, 100);
        expect((await h.at(0).usage(user)).tpm).toMatchObject({ remaining: 900 });
        const high = reservationOf(await h.at(1).admit([user], 100));
        expect((await h.at(0).usage(user)).tpm).toMatchObject({ remaining: 800 });
        await h.at(0).settle(high, 700);
        expect((await h.at(0).usage(user)).tpm).toMatchObject({ remaining: 200 });
        // Settling twice changes nothing.
        await h.at(1).settle(high, 700);
        expect((await h.at(0).usage(user)).tpm).toMatchObject({ remaining: 200 });
      });

      it('admits as many more requests as settled usage leaves room for', async () => {
        const h = harness();
        const user = subject({ tpm: 1000 });
        const first = await admitMany(h, 20, [user], 300);
        await Promise.all(first.filter((r) => r.allowed).map((r, i) => h.at(i).settle(reservationOf(r), 100)));
        // 300 used: 700 left, room for two more reservations of 300.
        expect(allowed(await admitMany(h, 20, [user], 300))).toBe(2);
      });

      it('counts used tokens for the sliding minute, then frees them', async () => {
        const h = harness();
        const user = subject({ tpm: 1000 });
        await h.at(0).settle(reservationOf(await h.at(0).admit([user], 1000)), 1000);
        const refused = refusalOf(await h.at(1).admit([user], 10));
        expect(refused.reason).toBe('tpm');
        expect(refused.retryAfterSeconds).toBeGreaterThan(0);
        expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
        if (h.exactClock) expect(refused.retryAfterSeconds).toBe(60);
        h.advance(30_000);
        const halfway = refusalOf(await h.at(0).admit([user], 10));
        if (h.exactClock) expect(halfway.retryAfterSeconds).toBe(30);
        expect(halfway.retryAfterSeconds).toBeLessThanOrEqual(31);
        h.advance(28_500);
        expect((await h.at(1).admit([user], 10)).allowed).toBe(false);
        h.advance(1_500);
        expect((await h.at(0).admit([user], 10)).allowed).toBe(true);
      });

      it('answers Retry-After as the time until enough of the window has expired', async () => {
        const h = harness();
        const user = subject({ tpm: 100 });
        await h.at(0).settle(reservationOf(await h.at(0).admit([user], 60)), 60);
        h.advance(20_000);
        await h.at(1).settle(reservationOf(await h.at(1).admit([user], 40)), 40);
        // 100 used: 50 more fit once the first 60 expire, 40 s from now.
        const refusal = refusalOf(await h.at(0).admit([user], 50));
        expect(refusal.retryAfterSeconds).toBeGreaterThanOrEqual(39);
        expect(refusal.retryAfterSeconds).toBeLessThanOrEqual(40);
        h.advance(refusal.retryAfterSeconds * 1000);
        expect((await h.at(1).admit([user], 50)).allowed).toBe(true);
      });

      it('admits a request estimated above the whole limit only into an empty window', async () => {
        const h = harness();
        const user = subject({ tpm: 100 });
        const big = reservationOf(await h.at(0).admit([user], 5000));
        expect(big.reservedTokens).toBe(100);
        expect((await h.at(1).admit([user], 1)).allowed).toBe(false);
        await h.at(1).settle(big, 0);
        expect((await h.at(0).admit([user], 1)).allowed).toBe(true);
      });

      it('drops a reservation that is never settled once it expires', async () => {
        const h = harness({ reservationTtlMs: 120_000 });
        const user = subject({ tpm: 100 });
        reservationOf(await h.at(0).admit([user], 100));
        expect((await h.at(1).admit([user], 1)).allowed).toBe(false);
        h.advance(120_001);
        expect((await h.at(0).admit([user], 1)).allowed).toBe(true);
      });

      it('grants between a minimum and a maximum: as much as the window has left, the same for every subject', async () => {
        const h = harness();
        const key = subject({ tpm: 300 }, 'key');
        const user = subject({ tpm: 1000 });
        const first = reservationOf(await h.at(0).admit([key, user], { min: 50, max: 200 }));
        expect(first.reservedTokens).toBe(200);
        // The key has 100 left: that is the grant, for the user too.
        const second = reservationOf(await h.at(1).admit([key, user], { min: 50, max: 200 }));
        expect(second.reservedTokens).toBe(100);
        expect((await h.at(0).usage(user)).tpm).toMatchObject({ remaining: 700 });
        // Nothing left on the key: below the minimum, refused.
        const refused = refusalOf(await h.at(0).admit([key, user], { min: 1, max: 10 }));
        expect(refused).toMatchObject({ reason: 'tpm', subject: { id: key.id } });
        await h.at(1).settle(second, 30);
        expect(reservationOf(await h.at(0).admit([key, user], { min: 1, max: 500 })).reservedTokens).toBe(70);
      });

      it('never grants more than the limit in total to parallel requests asking for ranges', async () => {
        const h = harness();
        const user = subject({ tpm: 1000 });
        const results = await Promise.all(Array.from({ length: 150 }, (_, i) => h.at(i).admit([user], { min: 40, max: 90 })));
        const granted = results.filter((r) => r.allowed).map((r) => reservationOf(r).reservedTokens);
        expect(granted.reduce((sum, tokens) => sum + tokens, 0)).toBeLessThanOrEqual(1000);
        expect(granted.every((tokens) => tokens >= 40 && tokens <= 90)).toBe(true);
        // 11 × 90 = 990 leaves 10, below the minimum: exactly 11 admitted.
        expect(granted).toHaveLength(11);
      });

      it('grants 0 when no subject limits TPM', async () => {
        const h = harness();
        expect(reservationOf(await h.at(0).admit([subject({ rpm: 5 })], { min: 10, max: 100 })).reservedTokens).toBe(0);
      });

      it('does not take an RPM request from a subject that TPM refuses', async () => {
        const h = harness();
        const user = subject({ rpm: 5, tpm: 100 });
        await h.at(0).settle(reservationOf(await h.at(0).admit([user], 100)), 100);
        expect((await h.at(0).usage(user)).rpm).toMatchObject({ remaining: 4 });
        const refusals = await admitMany(h, 10, [user], 10);
        expect(allowed(refusals)).toBe(0);
        expect(refusalOf(refusals[0]!).reason).toBe('tpm');
        expect((await h.at(1).usage(user)).rpm).toMatchObject({ remaining: 4 });
      });

      it("does not take from the user when the key's TPM refuses, and vice versa", async () => {
        const h = harness();
        const key = subject({ rpm: 10, tpm: 50 }, 'key');
        const user = subject({ rpm: 10, tpm: 1000 });
        await h.at(0).settle(reservationOf(await h.at(0).admit([key, user], 50)), 50);
        const refused = refusalOf(await h.at(1).admit([key, user], 10));
        expect(refused.subject.id).toBe(key.id);
        expect(refused.reason).toBe('tpm');
        const usage = await h.at(0).usage(user);
        expect(usage.rpm).toMatchObject({ remaining: 9 });
        expect(usage.tpm).toMatchObject({ remaining: 950 });
      });
    });

    it('reports usage without consuming anything', async () => {
      const h = harness();
      const user = subject({ rpm: 3, tpm: 30 });
      expect(await h.at(0).usage(user)).toEqual({ rpm: { limit: 3, remaining: 3, resetSeconds: 0 }, tpm: { limit: 30, remaining: 30, resetSeconds: 0 } });
      await h.at(0).usage(user);
      expect(allowed(await admitMany(h, 10, [user], 1))).toBe(3);
    });

    it('refuses to settle something that is not one of its reservations', async () => {
      const h = harness();
      await expect(h.at(0).settle({ subjects: [], reservedTokens: 0 }, 1)).rejects.toThrow(TypeError);
    });
  });
}

describe.skipIf(!REDIS_URL)('rate limiter (redis) — scripts', () => {
  it('loads its scripts again after Redis forgot them', async () => {
    const limiter = createRateLimiter({ redisUrl: REDIS_URL!, keyPrefix: PREFIX });
    const redis = new Redis(REDIS_URL!);
    try {
      const user = subject({ rpm: 2 });
      expect((await limiter.admit([user], 0)).allowed).toBe(true);
      await redis.script('FLUSH');
      expect((await limiter.admit([user], 0)).allowed).toBe(true);
      expect((await limiter.admit([user], 0)).allowed).toBe(false);
    } finally {
      redis.disconnect();
      await limiter.close();
    }
  });

  it('lets idle keys expire', async () => {
    const limiter = createRateLimiter({ redisUrl: REDIS_URL!, keyPrefix: PREFIX, reservationTtlMs: 60_000 });
    const redis = new Redis(REDIS_URL!);
    try {
      const user = subject({ rpm: 60, tpm: 100 });
      await limiter.settle(reservationOf(await limiter.admit([user], 10)), 10);
      reservationOf(await limiter.admit([user], 10)); // left outstanding
      const keys = await redis.keys(`${PREFIX}rl:{user:${user.id}}:*`);
      expect(keys.sort()).toEqual([`${PREFIX}rl:{user:${user.id}}:b`, `${PREFIX}rl:{user:${user.id}}:w`, `${PREFIX}rl:{user:${user.id}}:z`]);
      for (const key of keys) {
        const ttl = await redis.pttl(key);
        expect(ttl, key).toBeGreaterThan(0);
        // Bucket: until it is full again (2 requests = 2 s) plus a margin; window: reservation TTL + the window.
        expect(ttl, key).toBeLessThanOrEqual(key.endsWith(':b') ? 3000 : 121_000);
      }
    } finally {
      redis.disconnect();
      await limiter.close();
    }
  });
});
