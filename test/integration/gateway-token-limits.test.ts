import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { GATEWAY_SETUPS, startGatewayInstances, type GatewayInstances } from '../support/gateway-setups.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

// Token limits that cannot be dodged: the tokens a runtime really processed and generated —
// counted by the (realistic) fake runtime, never by the gateway — stay within an API key's TPM,
// whatever the requests do: many at once, streams whose clients go away, streams sent as
// text/plain or with an escaped "stream" key, a maximum of 0, emoji prompts (more tokens than
// four characters each), a gateway timeout after the runtime generated. The limiter does not
// touch the database, so this file runs on PGlite only.

const REDIS_URL = process.env.TEST_REDIS_URL;
if (process.env.CI && !REDIS_URL) throw new Error('CI is set but TEST_REDIS_URL is not: the Redis token limit suites would be skipped silently.');

const DEPLOYMENT = 'token-limited';
const TPM = 1000;
const EMOJI = '😀'.repeat(202); // 404 UTF-16 characters ("101 tokens" at four a token), 808 bytes

interface Sent {
  status: number;
  text: string;
}

/** One request; `raw` is sent as it is (escaped keys survive), `abortAfterFirstChunk` leaves mid-answer. */
function send(base: string, key: string, path: string, raw: string, options: { contentType?: string; headers?: Record<string, string>; abortAfterFirstChunk?: boolean } = {}): Promise<Sent> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': options.contentType ?? 'application/json', ...options.headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (part: string) => {
        text += part;
        if (options.abortAfterFirstChunk && res.statusCode === 200) {
          req.destroy();
          resolve({ status: 499, text });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', () => resolve({ status: 499, text }));
    });
    req.on('error', (error) => (options.abortAfterFirstChunk ? resolve({ status: 499, text: '' }) : reject(error)));
    req.end(raw);
  });
}

const chat = (extra: Record<string, unknown>, content = 'Hi') => JSON.stringify({ model: DEPLOYMENT, messages: [{ role: 'user', content }], ...extra });

/** Every kind of request that once dodged the limit, and plain ones, by index. */
function anyRequest(base: string, key: string, i: number): Promise<Sent> {
  switch (i % 7) {
    case 0:
      return send(base, key, '/v1/chat/completions', chat({ max_tokens: 50 }));
    case 1:
      return send(base, key, '/v1/chat/completions', chat({ stream: true }));
    case 2:
      return send(base, key, '/v1/chat/completions', chat({ stream: true }), { contentType: 'text/plain' });
    case 3:
      return send(base, key, '/v1/chat/completions', `{"model":"${DEPLOYMENT}","messages":[{"role":"user","content":"Hi"}],"\\u0073tream":true}`, { headers: { 'x-fake-no-usage': '1' } });
    case 4:
      return send(base, key, '/v1/chat/completions', chat({ max_completion_tokens: 1, max_tokens: 0 }));
    case 5:
      return send(base, key, '/v1/chat/completions', chat({ max_tokens: 20 }, EMOJI.slice(0, 100)));
    default:
      return send(base, key, `/api/inference/${DEPLOYMENT}/v1/completions`, JSON.stringify({ prompt: 'hello', max_tokens: 30, stream: true }), { contentType: 'text/plain' });
  }
}

for (const setup of GATEWAY_SETUPS) {
  const skipped = setup.redis && !REDIS_URL;
  describe.skipIf(skipped)(`gateway token limits hold at the runtime (${setup.name})${skipped ? ' — skipped: TEST_REDIS_URL is not set' : ''}`, { timeout: 120_000 }, () => {
    let t: TestApp;
    let instances: GatewayInstances | undefined;
    let upstream: FakeUpstream;
    let bases: string[] = [];

    beforeAll(async () => {
      upstream = await startFakeUpstream({ realistic: true });
      instances = await startGatewayInstances(setup, REDIS_URL, upstream, DEPLOYMENT);
      ({ t, bases } = instances);
    });
    beforeEach(() => {
      upstream.generated.length = 0;
    });
    afterAll(async () => {
      await instances?.close();
      await upstream?.close();
    });

    const limitedKey = async () => (await t.apiKey({ name: `tpm-${randomUUID()}`, tpm: TPM })).key;
    const allDone = () => waitFor('the runtime to stop generating', async () => (upstream.generated.every((entry) => entry.done) ? true : undefined));

    it(`150 parallel requests of every kind use at most ${TPM} tokens at the runtime`, async () => {
      const key = await limitedKey();
      const answers = await Promise.all(Array.from({ length: 150 }, (_, i) => anyRequest(bases[i % bases.length]!, key, i)));
      await allDone();
      const statuses = new Set(answers.map((answer) => answer.status));
      expect([...statuses].filter((status) => status !== 200 && status !== 429)).toEqual([]);
      expect(answers.some((answer) => answer.status === 200)).toBe(true);
      expect(upstream.tokensUsed()).toBeLessThanOrEqual(TPM);
    });

    it(`parallel streams whose clients go away mid-answer, then more requests, use at most ${TPM} tokens at the runtime`, async () => {
      const key = await limitedKey();
      const aborted = await Promise.all(
        Array.from({ length: 30 }, (_, i) => send(bases[i % bases.length]!, key, '/v1/chat/completions', chat({ stream: true }), { abortAfterFirstChunk: true })),
      );
      expect(aborted.some((answer) => answer.status === 499)).toBe(true);
      await allDone();
      // What the aborted streams reserved stays charged: the window has no room for what they might have used.
      const after = await Promise.all(Array.from({ length: 30 }, (_, i) => anyRequest(bases[i % bases.length]!, key, i)));
      await allDone();
      expect(after.every((answer) => answer.status === 200 || answer.status === 429)).toBe(true);
      expect(upstream.tokensUsed()).toBeLessThanOrEqual(TPM);
    });
  });
}

describe('gateway token limits cannot be dodged (memory)', { timeout: 60_000 }, () => {
  let t: TestApp;
  let upstream: FakeUpstream;
  let deployment: { remove(): Promise<void> } | undefined;
  let base: string;

  beforeAll(async () => {
    // A short upstream timeout, so a 504 after the runtime generated comes quickly.
    t = await createTestApp('pglite', { HMAS_RATE_LIMIT_RPM: '0', HMAS_RATE_LIMIT_TPM: '0', HMAS_GATEWAY_TIMEOUT_MS: '1000' });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    upstream = await startFakeUpstream({ realistic: true });
    deployment = await insertServedDeployment(t.database.handle, DEPLOYMENT, [upstream.url]);
  });
  beforeEach(() => {
    upstream.generated.length = 0;
  });
  afterAll(async () => {
    await deployment?.remove();
    await t?.close();
    await upstream?.close();
  });

  const limitedKey = async () => (await t.apiKey({ name: `tpm-${randomUUID()}`, tpm: TPM })).key;

  /** Sends one request after another until one is refused; returns the statuses. */
  async function untilRefused(next: (key: string) => Promise<Sent>, key: string): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      const answer = await next(key);
      statuses.push(answer.status);
      if (answer.status === 429) break;
    }
    return statuses;
  }

  const cases: Array<[string, (key: string) => Promise<Sent>]> = [
    ['a stream sent as text/plain', (key) => send(base, key, '/v1/chat/completions', chat({ stream: true }), { contentType: 'text/plain' })],
    ['a stream asked for with an escaped key ("\\u0073tream")', (key) => send(base, key, '/v1/chat/completions', `{"model":"${DEPLOYMENT}","messages":[{"role":"user","content":"Hi"}],"\\u0073tream":true}`)],
    ['max_completion_tokens 1 with max_tokens 0', (key) => send(base, key, '/v1/chat/completions', chat({ max_completion_tokens: 1, max_tokens: 0 }))],
    ['an emoji prompt (more tokens than four characters each)', (key) => send(base, key, '/v1/chat/completions', chat({ max_tokens: 1 }, EMOJI))],
    ['a stream by path to a runtime without usage', (key) => send(base, key, `/api/inference/${DEPLOYMENT}/v1/chat/completions`, chat({ stream: true }), { contentType: 'text/plain', headers: { 'x-fake-no-usage': '1' } })],
  ];

  it.each(cases)(`keeps %s within ${TPM} tokens at the runtime`, async (_name, next) => {
    const statuses = await untilRefused(next, await limitedKey());
    expect(statuses[0]).toBe(200);
    expect(statuses.at(-1)).toBe(429);
    expect(upstream.tokensUsed()).toBeLessThanOrEqual(TPM);
  });

  it('charges the reservation for a request that timed out (504) after the runtime generated', async () => {
    const key = await limitedKey();
    const timedOut = await send(base, key, '/v1/chat/completions', chat({ max_tokens: 600 }), { headers: { 'x-fake-hang': '1' } });
    expect(timedOut.status).toBe(504);
    const statuses = await untilRefused((k) => send(base, k, '/v1/chat/completions', chat({ max_tokens: 100 })), key);
    expect(statuses.at(-1)).toBe(429);
    expect(upstream.tokensUsed()).toBeLessThanOrEqual(TPM);
  });

  it("lowers the request's maximum to what the window has left and says so in X-HMAS-Max-Tokens", async () => {
    const key = await limitedKey();
    const response = await request(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: chat({ max_tokens: 5000 }),
    });
    const body = (await response.body.json()) as { usage: { completion_tokens: number; total_tokens: number } };
    expect(response.statusCode).toBe(200);
    const cap = Number(response.headers['x-hmas-max-tokens']);
    expect(cap).toBeGreaterThan(0);
    expect(cap).toBeLessThan(TPM);
    expect(body.usage.completion_tokens).toBe(cap);
    expect(body.usage.total_tokens).toBeLessThanOrEqual(TPM);
    const forwarded = JSON.parse(upstream.received.at(-1)!.body) as Record<string, unknown>;
    expect(forwarded).toMatchObject({ max_tokens: cap, max_completion_tokens: cap });
  });

  it('refuses with 400 a prompt that can never fit the limit, and with 429 one that does not fit what is left', async () => {
    const key = await limitedKey();
    const huge = await send(base, key, '/v1/chat/completions', chat({ max_tokens: 1 }, 'x'.repeat(TPM)));
    expect(huge.status).toBe(400);
    expect(JSON.parse(huge.text)).toEqual({ error: { message: expect.stringContaining(`${TPM} tokens per minute`), type: 'invalid_request_error', code: 'PROMPT_EXCEEDS_TOKEN_LIMIT', param: null } });
    expect((await send(base, key, '/v1/chat/completions', chat({ max_tokens: 1 }, EMOJI))).status).toBe(200);
    const refused = await send(base, key, '/v1/chat/completions', chat({ max_tokens: 1 }, EMOJI));
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text).error.code).toBe('RATE_LIMIT_TPM');
  });
});
