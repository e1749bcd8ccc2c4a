import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitOverview } from '../../src/domain/rate-limit.js';
import { createRateLimiter } from '../../src/gateway/rate-limit/index.js';
import type { ComposedServer } from '../../src/main/compose.js';
import { composeSecondInstance } from '../support/second-instance.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';

const REDIS_URL = process.env.TEST_REDIS_URL;
if (process.env.CI && !REDIS_URL) throw new Error('CI is set but TEST_REDIS_URL is not: the shared-Redis rate limit suite would be skipped silently.');

interface UserBody {
  id: string;
  username: string;
  rateLimitRpm: number | null;
  rateLimitTpm: number | null;
}

describe.each(testBackends())('rate limits (%s)', (backend) => {
  let t: TestApp;
  let admin: { authorization: string };
  let viewer: { id: string; headers: { authorization: string } };
  beforeAll(async () => {
    t = await createTestApp(backend, { HMAS_RATE_LIMIT_RPM: '7', HMAS_RATE_LIMIT_TPM: '0' });
    admin = await t.admin();
    viewer = await t.userWithRole('viewer', 'rl-viewer');
  });
  afterAll(async () => t?.close());

  const overview = async (headers: { authorization: string }, query = '') => {
    const response = await t.app.inject({ method: 'GET', url: `/api/rate-limits${query}`, headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<RateLimitOverview>();
  };
  const patchUser = (id: string, payload: Record<string, unknown>) => t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin, payload });

  it('shows a viewer the defaults and their own limits and usage', async () => {
    expect(await overview(viewer.headers)).toEqual({
      defaults: { rpm: 7, tpm: 0 },
      backend: 'memory',
      subjects: [
        {
          kind: 'user',
          id: viewer.id,
          name: 'rl-viewer',
          limits: { rpm: 7, tpm: 0, source: { rpm: 'default', tpm: 'default' } },
          usage: { rpm: { limit: 7, remaining: 7, resetSeconds: 0 }, tpm: null },
        },
      ],
    });
  });

  it('gives new users no overrides', async () => {
    const user = (await t.app.inject({ method: 'GET', url: `/api/users/${viewer.id}`, headers: admin })).json<UserBody>();
    expect(user).toMatchObject({ rateLimitRpm: null, rateLimitTpm: null });
  });

  it('lets an admin set, change and clear per-user overrides through PATCH /api/users/:id', async () => {
    const target = await t.userWithRole('viewer', 'rl-target');
    const set = await patchUser(target.id, { rateLimitRpm: 5, rateLimitTpm: 20_000 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json<UserBody>()).toMatchObject({ rateLimitRpm: 5, rateLimitTpm: 20_000 });
    let [subject] = (await overview(target.headers)).subjects;
    expect(subject!.limits).toEqual({ rpm: 5, tpm: 20_000, source: { rpm: 'user', tpm: 'user' } });
    expect(subject!.usage).toEqual({ rpm: { limit: 5, remaining: 5, resetSeconds: 0 }, tpm: { limit: 20_000, remaining: 20_000, resetSeconds: 0 } });

    const cleared = await patchUser(target.id, { rateLimitRpm: null });
    expect(cleared.json<UserBody>()).toMatchObject({ rateLimitRpm: null, rateLimitTpm: 20_000 });
    [subject] = (await overview(target.headers)).subjects;
    expect(subject!.limits).toEqual({ rpm: 7, tpm: 20_000, source: { rpm: 'default', tpm: 'user' } });

    await patchUser(target.id, { rateLimitRpm: 0, rateLimitTpm: null });
    [subject] = (await overview(target.headers)).subjects;
    expect(subject!.limits).toEqual({ rpm: 0, tpm: 0, source: { rpm: 'user', tpm: 'default' } });
    expect(subject!.usage).toEqual({ rpm: null, tpm: null });
  });

  it('records an override change in the audit log', async () => {
    const target = await t.userWithRole('viewer', 'rl-audited');
    await patchUser(target.id, { rateLimitTpm: 1234 });
    const logs = await t.app.inject({ method: 'GET', url: '/api/audit-logs?action=user.update', headers: admin });
    const summaries = logs.json<{ items: Array<{ summary: string }> }>().items.map((item) => item.summary);
    expect(summaries).toContain('changed rl-audited: rateLimitTpm=1234');
  });

  it.each([
    ['a negative limit', { rateLimitRpm: -1 }],
    ['a fractional limit', { rateLimitTpm: 1.5 }],
    ['a limit as a string', { rateLimitRpm: '5' }],
    ['a limit above 1000000000', { rateLimitTpm: 2_000_000_000 }],
  ])('answers 400 VALIDATION_FAILED to an override with %s', async (_what, payload) => {
    const response = await patchUser(viewer.id, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('VALIDATION_FAILED');
  });

  it("lists the user's usable API keys with their own, the user's or the default limits", async () => {
    const owner = await t.userWithRole('viewer', 'rl-key-owner');
    await patchUser(owner.id, { rateLimitTpm: 5000 });
    const create = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/api-keys', headers: owner.headers, payload });
    const limited = (await create({ name: 'limited', rpm: 3 })).json<{ id: string }>();
    const inherited = (await create({ name: 'inherited' })).json<{ id: string }>();
    const revoked = (await create({ name: 'revoked', rpm: 1 })).json<{ id: string }>();
    expect((await t.app.inject({ method: 'DELETE', url: `/api/api-keys/${revoked.id}`, headers: owner.headers })).statusCode).toBeLessThan(300);

    const { subjects } = await overview(owner.headers);
    const byId = new Map(subjects.map((subject) => [subject.id, subject]));
    expect(subjects).toHaveLength(3);
    expect(byId.get(owner.id)).toMatchObject({ kind: 'user', limits: { rpm: 7, tpm: 5000, source: { rpm: 'default', tpm: 'user' } } });
    expect(byId.get(limited.id)).toMatchObject({
      kind: 'key',
      name: 'limited',
      limits: { rpm: 3, tpm: 5000, source: { rpm: 'key', tpm: 'user' } },
      usage: { rpm: { limit: 3, remaining: 3, resetSeconds: 0 }, tpm: { limit: 5000, remaining: 5000, resetSeconds: 0 } },
    });
    expect(byId.get(inherited.id)).toMatchObject({ kind: 'key', limits: { rpm: 7, tpm: 5000, source: { rpm: 'default', tpm: 'user' } } });
    expect(byId.has(revoked.id)).toBe(false);
    // An admin sees the same for that user.
    expect((await overview(admin, `?userId=${owner.id}`)).subjects.map((subject) => subject.id).sort()).toEqual([...byId.keys()].sort());
  });

  it("answers 403 FORBIDDEN to a viewer asking for another user's limits, and 200 for their own id", async () => {
    const me = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: admin })).json<{ user: { id: string } }>().user;
    const other = await t.app.inject({ method: 'GET', url: `/api/rate-limits?userId=${me.id}`, headers: viewer.headers });
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe('FORBIDDEN');
    expect((await overview(viewer.headers, `?userId=${viewer.id}`)).subjects[0]!.id).toBe(viewer.id);
  });

  it("lets an admin see any user's limits, and answers 404 USER_NOT_FOUND for an unknown one", async () => {
    const seen = await overview(admin, `?userId=${viewer.id}`);
    expect(seen.subjects.map((subject) => [subject.kind, subject.name])).toEqual([['user', 'rl-viewer']]);
    const unknown = await t.app.inject({ method: 'GET', url: `/api/rate-limits?userId=${randomUUID()}`, headers: admin });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('USER_NOT_FOUND');
  });

  describe.skipIf(!REDIS_URL)(`two server instances sharing one Redis${REDIS_URL ? '' : ' — skipped: TEST_REDIS_URL is not set'}`, () => {
    let a: TestApp;
    let b: ComposedServer;
    let userId: string;
    let userHeaders: { authorization: string };

    beforeAll(async () => {
      const env = { REDIS_URL: REDIS_URL!, HMAS_RATE_LIMIT_RPM: '7' };
      a = await createTestApp(backend, env);
      // A second instance on the same database, as a second server process would be.
      b = await composeSecondInstance(a, env);
      const user = await a.userWithRole('viewer', 'rl-shared');
      userId = user.id;
      userHeaders = user.headers;
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
      if (userId) {
        const redis = new Redis(REDIS_URL!);
        await redis.del(`hmas:rl:{user:${userId}}:b`, `hmas:rl:{user:${userId}}:w`, `hmas:rl:{user:${userId}}:z`);
        redis.disconnect();
      }
    });

    it('shows the same Redis-held usage on both instances', async () => {
      const get = async (app: ComposedServer) => {
        const response = await app.app.inject({ method: 'GET', url: '/api/rate-limits', headers: userHeaders });
        expect(response.statusCode, response.body).toBe(200);
        return response.json<RateLimitOverview>();
      };
      expect((await get(a)).backend).toBe('redis');
      expect((await get(b)).backend).toBe('redis');
      // A third limiter on the same Redis spends 3 of the user's 7 requests...
      const limiter = createRateLimiter({ redisUrl: REDIS_URL! });
      try {
        const results = await Promise.all(Array.from({ length: 3 }, () => limiter.admit([{ kind: 'user', id: userId, rpm: 7, tpm: 0 }], 0)));
        expect(results.every((result) => result.allowed)).toBe(true);
      } finally {
        await limiter.close();
      }
      // ...and both instances see what is left.
      for (const app of [a, b]) expect((await get(app)).subjects[0]!.usage.rpm).toMatchObject({ limit: 7, remaining: 4 });
    });
  });
});
