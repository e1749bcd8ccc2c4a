import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { markDatabaseConnectionError } from '../lib/pg-errors.js';
import { schema, type Schema } from './schema/index.js';

export type Database = PgDatabase<PgQueryResultHKT, Schema>;

/** Raw SQL access for migrations: `exec` runs several statements at once. */
export interface SqlSession {
  exec(sqlText: string): Promise<void>;
  query<T extends Record<string, unknown>>(sqlText: string, params?: unknown[]): Promise<T[]>;
}

export interface DatabaseHandle {
  readonly kind: 'pglite' | 'postgres';
  /** PostgreSQL's URL, for what needs a connection of its own (leader election); undefined on PGlite. */
  readonly url?: string;
  readonly db: Database;
  /** Runs `fn` in one transaction on one connection. */
  transaction<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize?: number }
  /** `dataDir` undefined = in memory (tests). */
  | { kind: 'pglite'; dataDir?: string };

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  return target.kind === 'postgres' ? openPostgres(target.url, target.poolSize ?? 10) : openPglite(target.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  if (dataDir) await mkdir(path.dirname(dataDir), { recursive: true });
  const client = new PGlite(dataDir);
  await client.waitReady;
  const db = drizzlePglite({ client, schema }) as unknown as Database;
  return {
    kind: 'pglite',
    db,
    transaction: (fn) =>
      client.transaction((tx) =>
        fn({
          exec: async (sqlText) => {
            await tx.exec(sqlText);
          },
          query: async <T extends Record<string, unknown>>(sqlText: string, params: unknown[] = []) =>
            (await tx.query<T>(sqlText, params)).rows,
        }),
      ),
    ping: async () => {
      await client.query('SELECT 1');
    },
    close: () => client.close(),
  };
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Failures to connect are marked as the database's (a refused connection could be anyone's),
  // so the API answers them 503 DATABASE_UNAVAILABLE. pool.query connects through this too.
  const connect = pool.connect.bind(pool) as (callback?: (error: Error | undefined, ...rest: unknown[]) => void) => Promise<pg.PoolClient> | undefined;
  pool.connect = ((callback?: (error: Error | undefined, ...rest: unknown[]) => void) =>
    callback
      ? connect((error, ...rest) => callback(error && markDatabaseConnectionError(error), ...rest))
      : connect()!.catch((error: unknown) => Promise.reject(markDatabaseConnectionError(error)))) as typeof pool.connect;
  const db = drizzlePg({ client: pool, schema }) as unknown as Database;
  const handle: DatabaseHandle = {
    kind: 'postgres',
    url,
    db,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          exec: async (sqlText) => {
            await client.query(sqlText);
          },
          query: async <T extends Record<string, unknown>>(sqlText: string, params: unknown[] = []) =>
            (await client.query<T>(sqlText, params)).rows,
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
  await handle.ping();
  return handle;
}
