import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposedServer } from '../../src/main/compose.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { dropRedisKeys } from '../support/redis-keys.js';
import { composeSecondInstance } from '../support/second-instance.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

// Two H-MAS instances on one database and one Redis: a deployment deleted through one stops
// being routed by the other as soon as Redis carries the news — not at its next route reload.
// The routing does not depend on the database backend, so this file runs on PGlite only.

const REDIS_URL = process.env.TEST_REDIS_URL;
if (process.env.CI && !REDIS_URL) throw new Error('CI is set but TEST_REDIS_URL is not: the two-instance gateway suite would be skipped silently.');

describe.skipIf(!REDIS_URL)(`gateway on two instances sharing Redis${REDIS_URL ? '' : ' — skipped: TEST_REDIS_URL is not set'}`, { timeout: 60_000 }, () => {
  const prefix = `hmas-test:${process.pid}:${randomUUID().slice(0, 8)}:`;
  let first: TestApp;
  let second: ComposedServer;
  let secondUrl: string;
  let upstream: FakeUpstream;
  let deployment: { id: string; remove(): Promise<void> };

  beforeAll(async () => {
    const env = { REDIS_URL: REDIS_URL!, HMAS_REDIS_KEY_PREFIX: prefix, HMAS_RATE_LIMIT_RPM: '0' };
    first = await createTestApp('pglite', env);
    second = await composeSecondInstance(first, env);
    secondUrl = await second.app.listen({ host: '127.0.0.1', port: 0 });
    upstream = await startFakeUpstream();
    deployment = await insertServedDeployment(first.database.handle, 'shared', [upstream.url]);
  });
  afterAll(async () => {
    await deployment?.remove();
    await second?.close();
    await first?.close();
    await upstream?.close();
    if (REDIS_URL) await dropRedisKeys(REDIS_URL, prefix);
  });

  const chatOnSecond = async () => {
    const response = await request(`${secondUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...(await first.admin()), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'shared', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    return { status: response.statusCode, body: (await response.body.json()) as { error?: { code: string } } };
  };
  const remoteReloads = async () => {
    const metrics = (await second.app.inject({ method: 'GET', url: '/metrics' })).body;
    const match = /^hmas_inference_route_reloads_total\{trigger="remote"\} (\d+)$/m.exec(metrics);
    return match ? Number(match[1]) : 0;
  };

  it("drops a key's per-key series on the second instance once the first revokes the key", async () => {
    const key = await first.apiKey({ name: 'shared-key' });
    const used = await request(`${secondUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'shared', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(used.statusCode).toBe(200);
    await used.body.dump();
    const secondMetrics = async () => (await second.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(await secondMetrics()).toContain(`hmas_inference_key_requests_total{api_key="${key.id}",status_class="2xx"} 1`);
    const revoked = await first.app.inject({ method: 'DELETE', url: `/api/api-keys/${key.id}`, headers: await first.admin() });
    expect(revoked.statusCode, revoked.body).toBe(200);
    await waitFor('the second instance to drop the revoked key\'s series', async () => (!(await secondMetrics()).includes(`api_key="${key.id}"`) ? true : undefined));
  });

  it('stops routing on the second instance once the first deletes the deployment', async () => {
    expect((await chatOnSecond()).status).toBe(200);
    const before = await remoteReloads();
    const removed = await first.app.inject({ method: 'DELETE', url: `/api/deployments/${deployment.id}`, headers: await first.admin() });
    expect(removed.statusCode, removed.body).toBe(204);
    // The second instance's loops do not run in tests: only the message from Redis reloads it.
    await waitFor('the second instance to reload its routes on the news', async () => ((await remoteReloads()) > before ? true : undefined));
    const answer = await chatOnSecond();
    expect(answer.status).toBe(404);
    expect(answer.body.error?.code).toBe('DEPLOYMENT_NOT_FOUND');
  });
});
