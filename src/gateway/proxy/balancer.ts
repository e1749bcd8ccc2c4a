/**
 * Least-outstanding-requests balancing across a deployment's ready replicas. Each endpoint
 * counts the requests the gateway has in flight to it; a request goes to the endpoint with the
 * fewest, ties taken in turn so equal replicas share the load. An endpoint that refused a
 * connection is skipped for a short while (it is probably restarting), unless nothing else is left.
 */

/** One ready replica as the gateway sends to it. Kept across route-table refreshes (its counter lives on). */
export interface UpstreamEndpoint {
  /** Base URL of the OpenAI-compatible API, as the deployment reports it (`http://host:port/v1`). */
  readonly url: string;
  /** `scheme://host:port`: the connection pool's key. */
  readonly origin: string;
  /** Path of `url` (`/v1`, or `/prefix/v1` behind a path-routing proxy): prefix of `/v1/*` calls. */
  readonly apiPath: string;
  /** Path before the runtime's OpenAI base path (`''`, or `/prefix`): prefix of `/api/inference/:name/*` calls. */
  readonly rootPath: string;
  /**
   * `Authorization` the replica requires (`Bearer <token>`; local replicas), sent in place of the
   * caller's, which never reaches a runtime. Null when the replica takes no token.
   */
  readonly authorization: string | null;
  /** Requests in flight to it through this gateway instance. */
  inFlight: number;
  /** Time (ms, the balancer's clock) until which it is avoided after a failed connection. */
  avoidUntil: number;
}

/** How long an endpoint that refused a connection is avoided. */
export const AVOID_AFTER_CONNECT_FAILURE_MS = 2_000;

/** Builds the endpoint of a base URL; `openaiBasePath` is the runtime's (`/v1`). Throws on a malformed URL. */
export function createEndpoint(url: string, openaiBasePath: string, token?: string): UpstreamEndpoint {
  const parsed = new URL(url);
  const apiPath = parsed.pathname.replace(/\/+$/, '');
  const base = openaiBasePath.replace(/\/+$/, '');
  const rootPath = base && apiPath.endsWith(base) ? apiPath.slice(0, apiPath.length - base.length) : apiPath;
  return { url, origin: parsed.origin, apiPath, rootPath, authorization: token ? `Bearer ${token}` : null, inFlight: 0, avoidUntil: 0 };
}

/** Round-robin state for ties: one per deployment. */
export interface PickState {
  turn: number;
}

/**
 * The endpoint with the fewest requests in flight, skipping those in `exclude` (already tried)
 * and endpoints avoided at `now` (those only when nothing else is left). `undefined` when there
 * is no other endpoint.
 */
export function pickEndpoint(endpoints: readonly UpstreamEndpoint[], state: PickState, now: number, exclude?: ReadonlySet<UpstreamEndpoint>): UpstreamEndpoint | undefined {
  const count = endpoints.length;
  if (count === 0) return undefined;
  if (count === 1) {
    const only = endpoints[0]!;
    return exclude?.has(only) ? undefined : only;
  }
  const start = state.turn % count;
  state.turn = (state.turn + 1) % 1_000_000_007;
  let best: UpstreamEndpoint | undefined;
  let bestAvoided: UpstreamEndpoint | undefined;
  for (let i = 0; i < count; i += 1) {
    const candidate = endpoints[(start + i) % count]!;
    if (exclude?.has(candidate)) continue;
    if (candidate.avoidUntil > now) {
      if (!bestAvoided || candidate.inFlight < bestAvoided.inFlight) bestAvoided = candidate;
    } else if (!best || candidate.inFlight < best.inFlight) {
      best = candidate;
    }
  }
  return best ?? bestAvoided;
}
