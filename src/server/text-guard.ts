import { AppError } from '../lib/errors.js';
import { isStorableText } from '../lib/storable-text.js';
import { isInferenceUrl } from './routes/inference.routes.js';
import type { ZodApp } from './routes/route-types.js';

/** Deeper than any body the API takes; beyond it the schema refuses anyway. */
const MAX_DEPTH = 32;

/**
 * Where in `value` a string (or an object key) holds text the database cannot store: a NUL
 * character (PostgreSQL text refuses it) or an unpaired UTF-16 surrogate (not text at all).
 * `null` when there is none.
 */
export function findUnstorableText(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findUnstorableText(value[index], `${path}[${index}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, entry] of Object.entries(value)) {
    if (!isStorableText(key)) return `${path} (a key)`;
    const found = findUnstorableText(entry, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * Refuses, with 400 VALIDATION_FAILED, any control API call whose body, query or path parameters
 * hold a NUL or an unpaired surrogate — before its schema and handler, so no such text reaches a
 * query and fails there as a 500. The gateway's routes pass bodies through to runtimes untouched.
 */
export function installTextGuard(app: ZodApp): void {
  app.addHook('preValidation', async (request) => {
    if (isInferenceUrl(request.url)) return;
    const where = findUnstorableText(request.params, 'path') ?? findUnstorableText(request.query, 'query') ?? findUnstorableText(request.body, 'body');
    if (!where) return;
    const message = 'holds a NUL character or an unpaired surrogate, which cannot be stored; remove it.';
    throw new AppError('VALIDATION_FAILED', `Invalid request — ${where} ${message}`, { statusCode: 400, details: { issues: [{ path: where, message }] } });
  });
}
