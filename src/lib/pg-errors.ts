/** PostgreSQL error codes H-MAS turns into API answers. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';

/** True when `error` (or a cause of it — drivers wrap errors) carries the PostgreSQL `code`. */
export function hasPgCode(error: unknown, code: string): boolean {
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    if ((current as { code?: unknown }).code === code) return true;
  }
  return false;
}

/**
 * A delete refused because rows still refer to the row: 23503 (foreign key, NO ACTION) or
 * 23001 (ON DELETE RESTRICT).
 */
export function isStillReferenced(error: unknown): boolean {
  return hasPgCode(error, PG_FOREIGN_KEY_VIOLATION) || hasPgCode(error, '23001');
}
