import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';

export type Backend = 'pglite' | 'postgres';

/**
 * The database backends integration suites run against: PGlite always, PostgreSQL when
 * TEST_DATABASE_URL is set. CI sets it, so missing it there is an error, not a skip.
 */
export function testBackends(): Backend[] {
  if (process.env.CI && !process.env.TEST_DATABASE_URL) {
    throw new Error('CI is set but TEST_DATABASE_URL is not: the PostgreSQL suite would be skipped silently.');
  }
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * For suites about PostgreSQL itself (advisory locks): true — skip — when there is no
 * TEST_DATABASE_URL, with a loud line saying so; under CI that is an error (testBackends).
 */
export function withoutPostgres(suite: string): boolean {
  if (testBackends().includes('postgres')) return false;
  console.warn(`⚠ ${suite}: SKIPPED — it needs PostgreSQL; set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it.`);
  return true;
}

export interface TestDatabase {
  handle: DatabaseHandle;
  /** PostgreSQL URL of this test's own database (postgres backend only). */
  url: string | undefined;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A fresh, migrated database of its own, so parallel runs and files cannot collide. */
export async function createTestDatabase(backend: Backend, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const shouldMigrate = options.migrate ?? true;
  if (backend === 'pglite') {
    const handle = await openDatabase({ kind: 'pglite' });
    if (shouldMigrate) await migrate(handle);
    return { handle, url: undefined, drop: () => handle.close() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set.');
  const name = `hmas_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const handle = await openDatabase({ kind: 'postgres', url, poolSize: 5 });
  if (shouldMigrate) await migrate(handle);
  let dropped = false;
  return {
    handle,
    url,
    async drop() {
      if (dropped) return;
      dropped = true;
      await handle.close().catch(() => undefined);
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
