import { request, type Dispatcher } from 'undici';
import { parseExposition, type Sample } from './exposition.js';

/** One ready replica's metrics endpoint, and the `Authorization` it requires (local replicas). */
export interface ReplicaTarget {
  /** Full URL of its /metrics. */
  url: string;
  authorization: string | null;
}

/** A /metrics larger than this is refused (a runtime's is well under 1 MiB). */
const MAX_BYTES = 8 * 1024 * 1024;

/** The URL without credentials, for reasons shown to operators. */
export const describeTarget = (url: string): string => url.replace(/\/\/[^/@\s]*@/, '//');

/**
 * Reads one replica's /metrics within `deadlineMs` (SPEC: 5 s for one deployment). Throws with
 * a short cause on a refusal, a non-200 answer, a timeout or a body too large.
 */
export async function scrapeReplica(target: ReplicaTarget, deadlineMs: number, dispatcher?: Dispatcher): Promise<Sample[]> {
  let answer: Dispatcher.ResponseData;
  try {
    answer = await request(target.url, {
      method: 'GET',
      headers: { accept: 'text/plain;version=0.0.4', ...(target.authorization ? { authorization: target.authorization } : {}) },
      headersTimeout: deadlineMs,
      bodyTimeout: deadlineMs,
      signal: AbortSignal.timeout(deadlineMs),
      ...(dispatcher ? { dispatcher } : {}),
    });
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'HeadersTimeoutError' || error.name === 'AbortError')) throw new Error(`no answer within ${deadlineMs} ms`);
    const code = (error as { code?: unknown }).code;
    throw new Error(typeof code === 'string' ? code : error instanceof Error ? error.message : String(error));
  }
  if (answer.statusCode !== 200) {
    await answer.body.dump();
    throw new Error(`HTTP ${answer.statusCode}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of answer.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_BYTES) {
        answer.body.destroy();
        throw new Error(`its /metrics is larger than ${MAX_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('its /metrics')) throw error;
    throw new Error(`no complete answer within ${deadlineMs} ms`);
  }
  return parseExposition(Buffer.concat(chunks).toString('utf8')).samples;
}
