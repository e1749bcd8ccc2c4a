import { AppError } from './errors.js';

/** PostgreSQL error codes H-MAS turns into API answers. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';

/** `error` and everything it wraps: drivers and Drizzle wrap errors in `cause`, Node's happy eyeballs in `errors`. */
function* chainOf(error: unknown, depth = 0): Generator<object> {
  if (!error || typeof error !== 'object' || depth > 8) return;
  yield error;
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  yield* chainOf(cause, depth + 1);
  if (Array.isArray(errors)) for (const inner of errors.slice(0, 8)) yield* chainOf(inner, depth + 1);
}

/** True when `error` (or a cause of it — drivers wrap errors) carries the PostgreSQL `code`. */
export function hasPgCode(error: unknown, code: string): boolean {
  for (const current of chainOf(error)) if ((current as { code?: unknown }).code === code) return true;
  return false;
}

/**
 * A delete refused because rows still refer to the row: 23503 (foreign key, NO ACTION) or
 * 23001 (ON DELETE RESTRICT).
 */
export function isStillReferenced(error: unknown): boolean {
  return hasPgCode(error, PG_FOREIGN_KEY_VIOLATION) || hasPgCode(error, '23001');
}

// Why a database cannot be reached, in words without addresses (readiness answers are public).
const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  // SQLSTATE: the server is shutting down, crashed, starting up, or full.
  '57P01': 'server shutting down',
  '57P02': 'server crashed',
  '57P03': 'server not accepting connections',
  '53300': 'too many connections',
};
// node-postgres, pg-pool and PGlite say it only in words.
const UNREACHABLE_MESSAGES: Array<[RegExp, string]> = [
  [/^Connection terminated/, 'connection terminated'],
  [/^timeout exceeded when trying to connect/, 'connection timed out'],
  [/is not queryable$/, 'connection lost'],
  [/^Cannot use a pool after calling end/, 'database closed'],
  [/^PGlite is closed/, 'database closed'],
];

const FROM_DATABASE = Symbol.for('hmas.database-connection-error');

/**
 * Marks an error raised while connecting to the database (db/client.ts does it), so a refused
 * connection there tells apart from one to a cluster, a hub or Redis: those are not database outages.
 */
export function markDatabaseConnectionError<T>(error: T): T {
  if (error && typeof error === 'object') Object.defineProperty(error, FROM_DATABASE, { value: true });
  return error;
}

/** SQLSTATEs are PostgreSQL's own; a socket error counts only when it came from the database's driver. */
function isDatabaseCode(code: string, chain: readonly object[]): boolean {
  if (/^[0-9A-Z]{5}$/.test(code)) return true;
  return chain.some((entry) => (entry as { [FROM_DATABASE]?: boolean })[FROM_DATABASE] === true || entry.constructor.name === 'DrizzleQueryError');
}

/**
 * Why the database could not be reached, when that is what `error` says: connection refused,
 * reset or terminated, a pool or connect timeout, a server shutting down or full (SQLSTATE class
 * 08 and 57P01–57P03, 53300), a closed pool or PGlite. Undefined for any other error (a
 * constraint, a syntax error, a bug, a refused connection to anything but the database): those
 * are not database outages and must not be answered as one.
 */
export function databaseUnreachableReason(error: unknown): string | undefined {
  const chain = [...chainOf(error)];
  for (const current of chain) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && isDatabaseCode(code, chain)) {
      const known = UNREACHABLE_CODES[code];
      if (known) return known;
      if (/^08[0-9A-Z]{3}$/.test(code)) return 'connection failure';
    }
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string') for (const [pattern, reason] of UNREACHABLE_MESSAGES) if (pattern.test(message)) return reason;
  }
  return undefined;
}

export function isDatabaseUnreachable(error: unknown): boolean {
  return databaseUnreachableReason(error) !== undefined;
}

/** Seconds a client should wait before trying again while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The 503 every API answers while the database cannot be reached (never the driver's own words). */
export function databaseUnavailableError(cause: unknown, reason = databaseUnreachableReason(cause)): AppError {
  return new AppError('DATABASE_UNAVAILABLE', `The database cannot be reached (${reason ?? 'unavailable'}); try again in a few seconds.`, {
    statusCode: 503,
    expose: true,
    cause,
    headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
  });
}

/**
 * What a failure means to a caller: one that happened because the database is unreachable becomes
 * 503 DATABASE_UNAVAILABLE; AppErrors (which already say what they mean) and the rest are as they are.
 */
export function asDatabaseUnavailable(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const reason = databaseUnreachableReason(error);
  return reason === undefined ? error : databaseUnavailableError(error, reason);
}
