import path from 'node:path';
import type { Config } from '../config/config.js';
import { openDatabase, type DatabaseHandle } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { acquirePidLock, LockHeldError } from '../lib/pid-lock.js';

/**
 * Opens the configured database: PostgreSQL when DATABASE_URL is set, otherwise the embedded
 * PGlite in the data directory. PGlite allows one process at a time, so a pid lock guards it.
 */
export async function openConfiguredDatabase(config: Config, options: { migrate?: boolean } = {}): Promise<DatabaseHandle> {
  let database: DatabaseHandle;
  if (config.databaseUrl) {
    database = await openDatabase({ kind: 'postgres', url: config.databaseUrl });
  } else {
    let release: () => Promise<void>;
    try {
      release = await acquirePidLock(path.join(config.dataDir, 'db.lock'));
    } catch (error) {
      if (error instanceof LockHeldError) {
        throw new Error(
          `${error.message} The embedded database serves one process at a time: stop the server first, or use PostgreSQL (DATABASE_URL).`,
        );
      }
      throw error;
    }
    const embedded = await openDatabase({ kind: 'pglite', dataDir: path.join(config.dataDir, 'db') }).catch(async (error: unknown) => {
      await release();
      throw error;
    });
    database = {
      ...embedded,
      close: async () => {
        await embedded.close();
        await release();
      },
    };
  }
  if (options.migrate ?? true) await migrate(database);
  return database;
}
