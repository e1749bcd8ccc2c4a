import type { InferenceLogEntry } from '../../api/types';
import type { BadgeTone } from '../../components/Badge';
import { formatCount } from '../../lib/format';

/** The filters of the inference log, as URL parameters and API query parameters alike. */
export const LOG_FILTER_KEYS = ['deployment', 'user', 'statusCode', 'from', 'to'] as const;

/** Codes the gateway answers most; the status filter takes any. */
export const COMMON_STATUS_CODES = [200, 400, 401, 403, 404, 413, 429, 500, 502, 503, 504] as const;

/** Green 2xx/3xx, amber 4xx (the caller's side), red 5xx. */
export const statusTone = (code: number): BadgeTone => (code >= 500 ? 'error' : code >= 400 ? 'warning' : 'ok');

/** 87 → "87 ms", 1534 → "1.53 s"; null → "—". */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Prompt / completion tokens, "—" where the answer carried no usage. */
export const formatTokens = (prompt: number | null, completion: number | null): string =>
  prompt === null && completion === null ? '—' : `${formatCount(prompt)} / ${formatCount(completion)}`;

const AUTH_METHOD_LABELS: Record<NonNullable<InferenceLogEntry['authMethod']>, string> = { api_key: 'API key', jwt: 'session' };

/** "API key" or "session" (a signed-in user's token); "—" for a request refused before that was known. */
export const authMethodText = (method: InferenceLogEntry['authMethod']): string => (method ? AUTH_METHOD_LABELS[method] : '—');
