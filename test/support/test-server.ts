import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import { createLogger } from '../../src/lib/logger.js';
import { startServer } from '../../src/main/server.js';

/**
 * The real server, listening on a free port, with the embedded database in a temporary data
 * directory and the built web UI (dist/web). For browser tests.
 */
export async function startTestServer(
  opts: { adminPassword?: string; /** More settings, e.g. HF_ENDPOINT of a fake hub. */ env?: Record<string, string> } = {},
): Promise<{ url: string; adminPassword: string; /** The server's own database, for fixtures a test cannot make through the API. */ database: DatabaseHandle; close(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-server-'));
  const adminPassword = opts.adminPassword ?? 'admin-password-for-tests';
  const config = loadConfig({
    HMAS_DATA_DIR: dataDir,
    HMAS_PORT: '0',
    HMAS_ADMIN_PASSWORD: adminPassword,
    HMAS_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HMAS_LOG_PRETTY: 'false',
    ...opts.env,
  });
  const server = await startServer(config, { logger: createLogger({ level: config.logLevel, pretty: false }) });
  return {
    url: server.url,
    adminPassword,
    database: server.database,
    async close() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
