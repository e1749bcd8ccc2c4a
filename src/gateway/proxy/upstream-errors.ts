/**
 * How an upstream failure reads to the client. Only failures to connect are retried: the
 * request never reached the runtime, so sending it to another replica cannot run it twice.
 */

/** Connecting failed: nothing was sent to the runtime. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown } | null)?.cause;
  const causeCode = (cause as { code?: unknown } | null)?.code;
  return typeof causeCode === 'string' ? causeCode : undefined;
}

/** The request did not reach the runtime: safe to send it to another replica. */
export function isConnectFailure(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && CONNECT_FAILURES.has(code);
}

export interface UpstreamFailure {
  status: number;
  code: string;
  message: string;
}

/** The gateway's answer to an upstream failure before the answer's headers arrived. */
export function describeUpstreamFailure(error: unknown, deployment: string, timeoutMs: number): UpstreamFailure {
  const code = codeOf(error);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { status: 504, code: 'UPSTREAM_TIMEOUT', message: `Deployment "${deployment}" did not start answering within ${Math.round(timeoutMs / 1000)} s.` };
  }
  if (isConnectFailure(error)) {
    return { status: 502, code: 'UPSTREAM_CONNECT_FAILED', message: `Could not connect to a replica of deployment "${deployment}" (${code}).` };
  }
  return { status: 502, code: 'UPSTREAM_ERROR', message: `The connection to deployment "${deployment}" failed before it answered (${code ?? 'unknown error'}).` };
}
