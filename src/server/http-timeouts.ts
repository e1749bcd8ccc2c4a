import type { ServerOptions } from 'node:http';

/** How slowly a client may send a request, and how long idle connections live, in ms. */
export interface HttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** 0 = no idle limit. */
  idleTimeoutMs: number;
}

/**
 * Server options that stop slow-loris clients: the headers, and the whole request with its body,
 * must arrive within their limits or Node answers 408 and closes the connection. Both limits
 * end once the request is received, so long answers — inference streams, `logs -f` — are never
 * cut by them. Node checks the limits every `connectionsCheckingInterval` (30 s by default, which
 * would let a slow client stay up to 30 s past its limit), so that is tied to the limits here.
 */
export function httpTimeoutOptions(timeouts: HttpTimeouts): { requestTimeout: number; connectionTimeout: number; keepAliveTimeout: number; http: ServerOptions } {
  const checkEveryMs = Math.min(1_000, Math.max(50, Math.floor(timeouts.headersTimeoutMs / 4)));
  return {
    requestTimeout: timeouts.requestTimeoutMs,
    connectionTimeout: timeouts.idleTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    http: { headersTimeout: timeouts.headersTimeoutMs, requestTimeout: timeouts.requestTimeoutMs, connectionsCheckingInterval: checkEveryMs },
  };
}
