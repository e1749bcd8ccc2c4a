import { readdir, readFile } from 'node:fs/promises';
import type { DatabaseHandle } from './client.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
// Arbitrary constant: every H-MAS instance takes the same lock, so only one migrates at a time.
const MIGRATION_LOCK_ID = 4_201_337;

export interface Migration {
  version: string;
  sql: string;
}

export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => ({ version: file.replace(/\.sql$/, ''), sql: await readFile(new URL(file, dir), 'utf8') })),
  );
}

/**
 * Applies pending migrations in order, all in one transaction under an advisory lock, so
 * several servers starting together neither race nor leave a half-migrated schema.
 * Returns the versions applied now.
 */
export async function migrate(database: DatabaseHandle, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  return database.transaction(async (session) => {
    await session.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await session.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = new Set((await session.query<{ version: string }>('SELECT version FROM schema_migrations')).map((row) => row.version));
    const pending = all.filter((migration) => !applied.has(migration.version));
    for (const migration of pending) {
      await session.exec(migration.sql);
      await session.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
    }
    return pending.map((migration) => migration.version);
  });
}
