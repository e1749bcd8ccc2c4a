import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { FAKE_USAGE, startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { GATEWAY_SETUPS, startGatewayInstances, type GatewayInstances } from '../support/gateway-setups.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

// Rate limits through the real HTTP gateway: N parallel requests against a limit L get exactly L
// answers and N − L refusals — with the limiter in memory, in Redis, and in one Redis shared by
// two server instances (the requests alternate between them) — and what the gateway does while
// the limiter's Redis is unreachable. The limiter does not touch the database, so this file runs
// on PGlite only.

const REDIS_URL = process.env.TEST_REDIS_URL;
if (process.env.CI && !REDIS_URL) throw new Error('CI is set but TEST_REDIS_URL is not: the Redis gateway rate limit suites would be skipped silently.');

const DEPLOYMENT = 'rate-limited';
const CHAT = { model: DEPLOYMENT, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 11 };
// The prompt's upper bound (its bytes, keys and template tokens: see src/gateway/usage/request-body.ts)
// plus max_tokens. Answers settle the fake's smaller usage (12), freeing the rest, so how many
// more are admitted depends on how soon the first answers end; gateway-token-limits.test.ts
// measures that the tokens used stay within the limit.
const RESERVED_TOKENS = 95 + 11;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

async function chat(base: string, key: string): Promise<Answer> {
  const response = await request(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(CHAT),
  });
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as Record<string, unknown> };
}

/** `n` chat requests at once; the i-th through instance i mod bases and key i mod keys. */
function fire(n: number, bases: string[], keys: string[]): Promise<Answer[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => chat(bases[i % bases.length]!, keys[Math.floor(i / bases.length) % keys.length]!)));
}

/** Exactly `admitted` answers (at least, with `atLeast`), every other request refused with 429 in OpenAI's shape with the limit's headers. */
function expectExactly(answers: Answer[], admitted: number, refusal: { code: 'RATE_LIMIT_RPM' | 'RATE_LIMIT_TPM'; limit: number; whose: string }, atLeast = false): void {
  const ok = answers.filter((answer) => answer.status === 200);
  const refused = answers.filter((answer) => answer.status === 429);
  expect(answers.map((answer) => answer.status).filter((status) => status !== 200 && status !== 429)).toEqual([]);
  if (atLeast) expect(ok.length).toBeGreaterThanOrEqual(admitted);
  else expect(ok).toHaveLength(admitted);
  expect(refused).toHaveLength(answers.length - admitted);
  for (const answer of ok) expect(answer.body).toMatchObject({ object: 'chat.completion', usage: FAKE_USAGE });
  for (const answer of refused) {
    expect(answer.body).toEqual({ error: { message: expect.stringContaining(`${refusal.limit} `), type: 'rate_limit_error', code: refusal.code, param: null } });
    expect((answer.body.error as { message: string }).message).toContain(refusal.whose);
    const retryAfter = Number(answer.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${String(answer.headers['retry-after'])}`).toBe(true);
    expect(answer.headers['x-ratelimit-limit']).toBe(String(refusal.limit));
    expect(answer.headers['x-ratelimit-remaining']).toBe('0');
    expect(answer.headers['x-ratelimit-reset']).toMatch(/^\d+$/);
  }
}

for (const setup of GATEWAY_SETUPS) {
  const skipped = setup.redis && !REDIS_URL;
  describe.skipIf(skipped)(`gateway rate limits admit exactly L of N (${setup.name})${skipped ? ' — skipped: TEST_REDIS_URL is not set' : ''}`, { timeout: 60_000 }, () => {
    let t: TestApp;
    let instances: GatewayInstances | undefined;
    let upstream: FakeUpstream;
    let bases: string[] = [];

    beforeAll(async () => {
      upstream = await startFakeUpstream();
      instances = await startGatewayInstances(setup, REDIS_URL, upstream, DEPLOYMENT);
      ({ t, bases } = instances);
    });
    afterAll(async () => {
      await instances?.close();
      await upstream?.close();
    });

    const createKey = async (headers: { authorization: string }, payload: Record<string, unknown>) => (await t.apiKey(payload, headers)).key;

    it("admits exactly an API key's RPM of 40 parallel requests and refuses the rest with 429", async () => {
      const key = await createKey(await t.admin(), { name: `rpm-${randomUUID()}`, rpm: 7 });
      expectExactly(await fire(40, bases, [key]), 7, { code: 'RATE_LIMIT_RPM', limit: 7, whose: 'this API key' });
    });

    it("admits exactly a user's RPM across two of their keys", async () => {
      const user = await t.userWithRole('viewer');
      const patched = await t.app.inject({ method: 'PATCH', url: `/api/users/${user.id}`, headers: await t.admin(), payload: { rateLimitRpm: 5 } });
      expect(patched.statusCode, patched.body).toBe(200);
      // The keys' own limits are far above the user's: the user's limit is the one that binds.
      const keys = [await createKey(user.headers, { name: 'first', rpm: 1000 }), await createKey(user.headers, { name: 'second', rpm: 1000 })];
      expectExactly(await fire(40, bases, keys), 5, { code: 'RATE_LIMIT_RPM', limit: 5, whose: 'your user' });
    });

    it("admits at least as many requests as an API key's TPM holds reservations for, and refuses the rest with 429", async () => {
      const tpm = 5 * RESERVED_TOKENS;
      const key = await createKey(await t.admin(), { name: `tpm-${randomUUID()}`, tpm });
      const answers = await fire(20, bases, [key]);
      expectExactly(answers, 5, { code: 'RATE_LIMIT_TPM', limit: tpm, whose: 'this API key' }, true);
      expect(answers.filter((answer) => answer.status === 429).length).toBeGreaterThan(0);
    });
  });
}

/** A TCP server that accepts connections and never answers: a hung Redis. */
async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Outage {
  name: string;
  /** The REDIS_URL of the outage, and how to end it. */
  start(): Promise<{ url: string; close(): Promise<void> }>;
}

const OUTAGES: Outage[] = [
  // Port 1: nothing listens, connections are refused.
  { name: 'refuses connections', start: async () => ({ url: 'redis://127.0.0.1:1', close: async () => undefined }) },
  { name: 'accepts connections but never answers', start: startSilentServer },
];

// The limiter must give up fast: a hung Redis without a command timeout would hang every request
// until the test times out.
describe.each(OUTAGES)('gateway while the rate limiter’s Redis $name', { timeout: 20_000 }, (outage) => {
  describe.each(['open', 'closed'] as const)('HMAS_RATE_LIMIT_FAILURE_MODE=%s', (mode) => {
    let t: TestApp;
    let redis: { url: string; close(): Promise<void> };
    let upstream: FakeUpstream;
    let deployment: { remove(): Promise<void> } | undefined;
    let base: string;
    let key: string;

    beforeAll(async () => {
      redis = await outage.start();
      // RPM 1 by default: in open mode, more than one answer shows that nothing was limited.
      t = await createTestApp('pglite', { REDIS_URL: redis.url, HMAS_RATE_LIMIT_FAILURE_MODE: mode, HMAS_RATE_LIMIT_RPM: '1' });
      base = await t.app.listen({ host: '127.0.0.1', port: 0 });
      upstream = await startFakeUpstream();
      deployment = await insertServedDeployment(t.database.handle, DEPLOYMENT, [upstream.url]);
      ({ key } = await t.apiKey({ name: 'outage' }));
    });
    afterAll(async () => {
      await deployment?.remove();
      await t?.close();
      await upstream?.close();
      await redis?.close();
    });

    const limiterErrors = async () => {
      const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
      const match = /^hmas_inference_rate_limiter_errors_total\{operation="admit"\} (\d+)$/m.exec(metrics.body);
      return match ? Number(match[1]) : 0;
    };

    it('answers GET /api/rate-limits with 503 RATE_LIMITER_UNAVAILABLE, not 500', async () => {
      const overview = await t.app.inject({ method: 'GET', url: '/api/rate-limits', headers: await t.admin() });
      expect(overview.statusCode, overview.body).toBe(503);
      expect(overview.json().error.code).toBe('RATE_LIMITER_UNAVAILABLE');
      expect(overview.headers['retry-after']).toBe('1');
    });

    if (mode === 'open') {
      it('admits every request without limits and counts the limiter errors', async () => {
        const answers = await fire(5, [base], [key]);
        expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
        for (const answer of answers) {
          expect(answer.body).toMatchObject({ usage: FAKE_USAGE });
          // Nothing was counted, so there is nothing to tell.
          expect(answer.headers['x-ratelimit-limit']).toBeUndefined();
        }
        expect(await limiterErrors()).toBe(5);
      });
    } else {
      it('refuses every request with 503 RATE_LIMITER_UNAVAILABLE and Retry-After 1, and counts the limiter errors', async () => {
        const answers = await fire(5, [base], [key]);
        for (const answer of answers) {
          expect(answer.status).toBe(503);
          expect(answer.body).toEqual({ error: { message: expect.any(String), type: 'api_error', code: 'RATE_LIMITER_UNAVAILABLE', param: null } });
          expect(answer.headers['retry-after']).toBe('1');
        }
        expect(upstream.received).toHaveLength(0);
        expect(await limiterErrors()).toBe(5);
      });
    }
  });
});
