import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { createLogger, type Logger } from '../../src/lib/logger.js';
import { composeServer, type ComposedServer } from '../../src/main/compose.js';
import { TEST_ADMIN_PASSWORD, type TestApp } from './test-app.js';

/**
 * A second H-MAS instance on the database of `first`, as a second server process would be: its
 * own data directory, the same JWT secret (a session from one is valid on the other), and `env`
 * (e.g. the same REDIS_URL). Not listening. Close it before `first`, which owns the database.
 * `logger` replaces the one built from `first`'s log level (e.g. to read what it logs).
 */
export async function composeSecondInstance(first: TestApp, env: Record<string, string> = {}, logger?: Logger): Promise<ComposedServer & { dataDir: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-test-'));
  const config = loadConfig({
    HMAS_DATA_DIR: dataDir,
    HMAS_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    HMAS_LOG_LEVEL: first.config.logLevel,
    HMAS_LOG_PRETTY: 'false',
    ...(first.config.jwtSecret ? { HMAS_JWT_SECRET: first.config.jwtSecret } : {}),
    ...env,
  });
  const composed = await composeServer(config, first.database.handle, logger ?? createLogger({ level: config.logLevel, pretty: false }));
  return {
    ...composed,
    dataDir,
    async close() {
      await composed.loops.stopAll();
      await composed.app.close();
      await composed.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
