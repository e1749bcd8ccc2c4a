import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { composeServer, type ComposedServer } from '../../src/main/compose.js';
import { createTestDatabase, type Backend, type TestDatabase } from './test-database.js';

export const TEST_ADMIN_PASSWORD = 'admin-password-for-tests';

export interface TestApp extends ComposedServer {
  config: Config;
  database: TestDatabase;
  /** Signs in and returns headers that carry the session as a bearer token. */
  login(username: string, password: string): Promise<{ authorization: string }>;
  /** Headers of the first-start admin. */
  admin(): Promise<{ authorization: string }>;
  /** Creates a user through the API and returns their bearer headers. */
  userWithRole(role: 'admin' | 'operator' | 'viewer', username?: string): Promise<{ id: string; headers: { authorization: string } }>;
  /** Creates an API key through the API (as `headers`' user, default the admin); throws unless 201. */
  apiKey(payload: Record<string, unknown>, headers?: { authorization: string }): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
}

/** The whole app (real services, real database — `options.database`, else a new one) without listening: call `app.inject()`. */
export async function createTestApp(backend: Backend, env: Record<string, string> = {}, options: { database?: TestDatabase; now?: () => Date } = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-test-'));
  const config = loadConfig({
    HMAS_DATA_DIR: dataDir,
    HMAS_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    HMAS_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HMAS_LOG_PRETTY: 'false',
    HMAS_JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    ...env,
  });
  const database = options.database ?? (await createTestDatabase(backend));
  const composed = await composeServer(config, database.handle, createLogger({ level: config.logLevel, pretty: false }), options.now ? { now: options.now } : {});
  let adminHeaders: { authorization: string } | undefined;
  let counter = 0;

  const login = async (username: string, password: string) => {
    const response = await composed.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    if (response.statusCode !== 200) throw new Error(`login as ${username} failed: ${response.statusCode} ${response.body}`);
    return { authorization: `Bearer ${response.json<{ accessToken: string }>().accessToken}` };
  };
  const admin = async () => (adminHeaders ??= await login('admin', TEST_ADMIN_PASSWORD));

  return {
    ...composed,
    config,
    database,
    login,
    admin,
    async userWithRole(role, username) {
      counter += 1;
      const name = username ?? `${role}-${counter}`;
      const password = `${name}-password`;
      const response = await composed.app.inject({ method: 'POST', url: '/api/users', headers: await admin(), payload: { username: name, role, password } });
      if (response.statusCode !== 201) throw new Error(`creating ${name} failed: ${response.statusCode} ${response.body}`);
      return { id: response.json<{ id: string }>().id, headers: await login(name, password) };
    },
    async apiKey(payload, headers) {
      const response = await composed.app.inject({ method: 'POST', url: '/api/api-keys', headers: headers ?? (await admin()), payload });
      if (response.statusCode !== 201) throw new Error(`creating API key ${JSON.stringify(payload)} failed: ${response.statusCode} ${response.body}`);
      return response.json<{ id: string; key: string }>();
    },
    async close() {
      await composed.loops.stopAll();
      // Replicas outlive the server by design: a test must not leave any behind, even when it failed.
      const headers = await admin().catch(() => undefined);
      if (headers) {
        const page = await composed.app.inject({ method: 'GET', url: '/api/deployments?limit=500', headers });
        const items = page.statusCode === 200 ? page.json<{ items: Array<{ id: string }> }>().items : [];
        for (const { id } of items) await composed.app.inject({ method: 'DELETE', url: `/api/deployments/${id}`, headers });
      }
      await composed.app.close();
      await composed.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
