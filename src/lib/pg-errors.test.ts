import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { databaseUnavailableError, databaseUnreachableReason, hasPgCode, markDatabaseConnectionError } from './pg-errors.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
/** A socket error as db/client.ts passes it on: marked as the database's. */
const fromDatabase = (message: string, code: string) => markDatabaseConnectionError(withCode(message, code));

describe('databaseUnreachableReason', () => {
  it.each([
    ['a refused connection', fromDatabase('connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED'), 'connection refused'],
    ['a refused connection inside an AggregateError (happy eyeballs)', markDatabaseConnectionError(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], '')), 'connection refused'],
    ['a lost connection', new Error('Connection terminated unexpectedly'), 'connection terminated'],
    ['a pool timeout', new Error('timeout exceeded when trying to connect'), 'connection timed out'],
    ['a terminated backend', withCode('terminating connection due to administrator command', '57P01'), 'server shutting down'],
    ['a connection exception (class 08)', withCode('connection failure', '08006'), 'connection failure'],
    ['a closed PGlite', new Error('PGlite is closed'), 'database closed'],
    ['a driver error wrapped by Drizzle', new DrizzleQueryError('select 1', [], withCode('connect ECONNREFUSED', 'ECONNREFUSED')), 'connection refused'],
    ['a pool error wrapped in a plain Error', new Error('Failed query: select 1', { cause: fromDatabase('connect ECONNREFUSED', 'ECONNREFUSED') }), 'connection refused'],
  ])('recognises %s', (_name, error, reason) => {
    expect(databaseUnreachableReason(error)).toBe(reason);
  });

  it.each([
    ['a unique violation', withCode('duplicate key', '23505')],
    ['a syntax error', withCode('syntax error at or near', '42601')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['no error at all', undefined],
    ['a refused connection to something else (a cluster, a hub)', withCode('connect ECONNREFUSED 10.0.0.9:6443', 'ECONNREFUSED')],
  ])('leaves %s alone', (_name, error) => {
    expect(databaseUnreachableReason(error)).toBeUndefined();
  });

  it('keeps following causes for hasPgCode', () => {
    expect(hasPgCode(new Error('wrapped', { cause: withCode('dup', '23505') }), '23505')).toBe(true);
  });
});

describe('databaseUnavailableError', () => {
  it('is a 503 with Retry-After that names the reason but no address', () => {
    const error = databaseUnavailableError(fromDatabase('connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED'));
    expect(error).toMatchObject({ statusCode: 503, code: 'DATABASE_UNAVAILABLE', expose: true, headers: { 'retry-after': '5' } });
    expect(error.message).toContain('connection refused');
    expect(error.message).not.toContain('10.0.0.5');
  });
});
