import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The embedded runtime's API key, as llama-server's `--api-key`: every request but the health
 * check and the metrics must carry `Authorization: Bearer <key>`. The local driver gives each replica its own key
 * (HMAS_RUNTIME_API_KEY) and only the gateway knows it, so other processes on the host cannot
 * reach the model past the gateway's keys, limits and request log.
 */

/**
 * Paths answered without the key: the driver's and a supervisor's readiness check, and the
 * Prometheus metrics (counters and latencies, never a prompt or an answer), so Prometheus scrapes
 * a replica without the secret only the gateway holds (docs/monitoring.md).
 */
const OPEN_PATHS = new Set(['/health', '/metrics']);

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether a request may pass: `authorization` is its header. Compared in constant time over
 * digests, so neither the key's content nor its length shows in the timing.
 */
export function createApiKeyCheck(key: string): (method: string, url: string, authorization: string | undefined) => boolean {
  const expected = digest(`Bearer ${key}`);
  return (method, url, authorization) => {
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if ((method === 'GET' || method === 'HEAD') && OPEN_PATHS.has(path)) return true;
    return authorization !== undefined && timingSafeEqual(digest(authorization), expected);
  };
}
