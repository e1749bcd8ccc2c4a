import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ComposedServer } from '../../src/main/compose.js';
import { insertServedDeployment } from './fake-deployment.js';
import type { FakeUpstream } from './fake-upstream.js';
import { composeSecondInstance } from './second-instance.js';
import { createTestApp, type TestApp } from './test-app.js';

/** Where the rate limiter keeps its state in a gateway suite: memory, Redis, or one Redis shared by two instances. */
export interface GatewaySetup {
  name: string;
  redis: boolean;
  instances: 1 | 2;
}

export const GATEWAY_SETUPS: GatewaySetup[] = [
  { name: 'memory', redis: false, instances: 1 },
  { name: 'Redis', redis: true, instances: 1 },
  { name: 'two instances sharing one Redis', redis: true, instances: 2 },
];

export interface GatewayInstances {
  /** The first instance (it owns the database). */
  t: TestApp;
  /** Base URLs of the listening instances. */
  bases: string[];
  close(): Promise<void>;
}

/**
 * The instances of `setup` listening on free ports (PGlite; with Redis at `redisUrl` under a key
 * prefix of their own, deleted on close) and `deployment` served by `upstream`. Rate limits are
 * off by default (`HMAS_RATE_LIMIT_RPM`/`TPM` = 0): tests give their keys the limits they test.
 */
export async function startGatewayInstances(setup: GatewaySetup, redisUrl: string | undefined, upstream: FakeUpstream, deploymentName: string): Promise<GatewayInstances> {
  const prefix = `hmas-test:${process.pid}:${randomUUID().slice(0, 8)}:`;
  const env = { HMAS_RATE_LIMIT_RPM: '0', HMAS_RATE_LIMIT_TPM: '0', ...(setup.redis ? { REDIS_URL: redisUrl!, HMAS_REDIS_KEY_PREFIX: prefix } : {}) };
  const t = await createTestApp('pglite', env);
  const bases = [await t.app.listen({ host: '127.0.0.1', port: 0 })];
  let second: ComposedServer | undefined;
  if (setup.instances === 2) {
    second = await composeSecondInstance(t, env);
    bases.push(await second.app.listen({ host: '127.0.0.1', port: 0 }));
  }
  const deployment = await insertServedDeployment(t.database.handle, deploymentName, [upstream.url]);
  return {
    t,
    bases,
    async close() {
      await deployment.remove();
      await second?.close();
      await t.close();
      if (setup.redis && redisUrl) {
        const redis = new Redis(redisUrl);
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      }
    },
  };
}
