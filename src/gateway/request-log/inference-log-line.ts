import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isStorableText, toStorableText } from '../../lib/storable-text.js';
import type { InferenceLogEntry } from '../gateway-contracts.js';

// One request log entry as a line: the JSON row (column names as keys) the writer keeps in memory,
// appends to the spool and inserts. Made once per entry; read back only when a spool is replayed.

const MAX_ERROR_MESSAGE = 1000;
const MAX_PATH = 2000;
const MAX_NAME = 1000;

/**
 * PostgreSQL text holds neither NUL nor half a surrogate pair, and one such value fails the whole
 * batch's INSERT — again on every retry, so the request log would stop for good. Error messages
 * quote what clients sent (a `model` of "a\u0000b"), so text is made storable: each such code
 * unit becomes U+FFFD.
 */
function storable(value: string, max: number): string {
  return toStorableText(value.length > max ? value.slice(0, max) : value);
}
const storableOrNull = (value: string | null, max: number) => (value === null ? null : storable(value, max));

const int = (value: number | null) => (value === null || !Number.isFinite(value) ? null : Math.max(0, Math.min(2_147_483_647, Math.round(value))));
const real = (value: number | null) => (value === null || !Number.isFinite(value) ? null : value);

/** A finished request as a JSON row (column names as keys). Integer columns get integers; text is bounded. */
function toJsonRow(entry: InferenceLogEntry, entryId: string): Record<string, unknown> {
  return {
    entry_id: entryId,
    request_id: storable(entry.requestId, 200),
    created_at: new Date(entry.startedAt.getTime() + entry.durationMs).toISOString(),
    started_at: entry.startedAt.toISOString(),
    user_id: entry.userId,
    username: storableOrNull(entry.username, MAX_NAME),
    auth_method: entry.authMethod,
    api_key_id: entry.apiKeyId,
    deployment_id: entry.deploymentId,
    deployment_name: storableOrNull(entry.deploymentName, MAX_NAME),
    model_name: storableOrNull(entry.modelName, MAX_NAME),
    cluster_name: storableOrNull(entry.clusterName, MAX_NAME),
    method: storable(entry.method, 20),
    path: storable(entry.path, MAX_PATH),
    status_code: entry.statusCode,
    streaming: entry.streaming,
    ttfb_ms: real(entry.ttfbMs),
    duration_ms: real(entry.durationMs) ?? 0,
    prompt_tokens: int(entry.promptTokens),
    completion_tokens: int(entry.completionTokens),
    error_message: storableOrNull(entry.errorMessage, MAX_ERROR_MESSAGE),
  };
}

/**
 * A finished request as the line the writer keeps, spools and inserts: its row as JSON, with a
 * fresh `entry_id` so that a replay of the same line is stored once. Serialised once per entry.
 */
export function toInferenceLogLine(entry: InferenceLogEntry, entryId: string = randomUUID()): string {
  return JSON.stringify(toJsonRow(entry, entryId));
}

const text = (max: number) => z.string().max(max).refine(isStorableText);
const nullableText = (max: number) => text(max).nullable();
const count = z.number().int().min(0).max(2_147_483_647).nullable();
const timestamp = z.string().datetime({ offset: true });

/** What a spooled line must be to go into a batch: one bad line would fail its batch on every retry. */
const lineSchema = z
  .object({
    entry_id: z.string().uuid(),
    request_id: text(200),
    created_at: timestamp,
    started_at: timestamp,
    user_id: nullableText(MAX_NAME),
    username: nullableText(MAX_NAME),
    auth_method: z.enum(['api_key', 'jwt']).nullable(),
    api_key_id: nullableText(MAX_NAME),
    deployment_id: nullableText(MAX_NAME),
    deployment_name: nullableText(MAX_NAME),
    model_name: nullableText(MAX_NAME),
    cluster_name: nullableText(MAX_NAME),
    method: text(20),
    path: text(MAX_PATH),
    status_code: z.number().int().min(0).max(999),
    streaming: z.boolean(),
    ttfb_ms: z.number().nullable(),
    duration_ms: z.number(),
    prompt_tokens: count,
    completion_tokens: count,
    error_message: nullableText(MAX_ERROR_MESSAGE),
  })
  .strict();

/**
 * A line read back from the spool, checked: the line itself when it is a whole, well-formed entry,
 * null when it is not (a last line torn by a crash, or a damaged file).
 */
export function parseInferenceLogLine(line: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  return lineSchema.safeParse(value).success ? line : null;
}
