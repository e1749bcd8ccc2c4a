import type { DeploymentStatus } from '../../domain/deployment-status.js';
import type { Logger } from '../../lib/logger.js';
import { createEndpoint, type PickState, type UpstreamEndpoint } from './balancer.js';
import { createPathAllowlist, NOTHING_ALLOWED, type AllowedRoute, type PathAllowlist } from './path-allowlist.js';

/** One deployment as the route table loads it. */
export interface RouteSource {
  id: string;
  name: string;
  status: DeploymentStatus;
  modelName: string;
  clusterName: string;
  runtime: string;
  createdAt: Date;
  /** Base URLs of the OpenAI-compatible API of its ready replicas. */
  endpoints: readonly string[];
  /** The bearer token each replica requires, by base URL (local replicas); never shown to anyone. */
  tokens?: ReadonlyMap<string, string>;
}

/** What the gateway needs of a runtime: where its OpenAI API is and whether it can report stream usage. */
export interface RouteRuntime {
  id: string;
  openaiBasePath: string;
  supportsIncludeUsage: boolean;
  /** The paths `/api/inference/:name/*` may reach. */
  inferenceRoutes: readonly AllowedRoute[];
}

/** A deployment in the route table. */
export interface RouteEntry extends PickState {
  readonly id: string;
  readonly name: string;
  readonly status: DeploymentStatus;
  readonly modelName: string;
  readonly clusterName: string;
  readonly runtime: string;
  readonly createdAt: Date;
  readonly supportsIncludeUsage: boolean;
  /** What `/api/inference/:name/*` may reach on its runtime (nothing for an unknown runtime). */
  readonly paths: PathAllowlist;
  readonly endpoints: readonly UpstreamEndpoint[];
}

/** Statuses in which a deployment gets no traffic even if replicas still answer. */
const NOT_SERVING: ReadonlySet<DeploymentStatus> = new Set<DeploymentStatus>(['paused', 'deleting']);

/** Traffic may go to it: not paused or being deleted, and at least one ready replica. */
export function isServable(entry: RouteEntry): boolean {
  return entry.endpoints.length > 0 && !NOT_SERVING.has(entry.status);
}

export interface RouteTableOptions {
  load: () => Promise<RouteSource[]>;
  runtime: (id: string) => RouteRuntime | undefined;
  logger: Logger;
  /** Data older than this is refreshed in the background when looked up (default 2 s). */
  maxAgeMs?: number;
  /** On-demand refreshes (unknown name, nothing to serve) run at most this often (default 250 ms). */
  minRefreshGapMs?: number;
  now?: () => number;
}

/**
 * Deployment name → where its traffic goes, in memory. Refreshed from the database by a loop
 * (`refresh`, every second or so), in the background when a lookup finds it older than
 * `maxAgeMs`, and on demand — awaited — when a name is unknown or has nothing to serve, at most
 * every `minRefreshGapMs`. So nothing on the hot path waits for the database in the steady state.
 * Endpoint objects (and their in-flight counters) live across refreshes while their URL stays.
 */
export function createRouteTable(options: RouteTableOptions) {
  const now = options.now ?? (() => performance.now());
  const maxAgeMs = options.maxAgeMs ?? 2_000;
  const minGapMs = options.minRefreshGapMs ?? 250;
  let byName = new Map<string, RouteEntry>();
  let byModel = new Map<string, RouteEntry[]>();
  const endpoints = new Map<string, UpstreamEndpoint>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let startedAt = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | undefined;
  /** Loads started so far: a request remembers it when it picks an endpoint (see `reresolve`). */
  let generation = 0;
  const allowlists = new Map<string, PathAllowlist>();

  function allowlistOf(runtime: RouteRuntime | undefined): PathAllowlist {
    if (!runtime) return NOTHING_ALLOWED;
    let allowlist = allowlists.get(runtime.id);
    if (!allowlist) allowlists.set(runtime.id, (allowlist = createPathAllowlist(runtime.id, runtime.inferenceRoutes)));
    return allowlist;
  }

  // A replica restarted on the same port with another token is another endpoint.
  const keyOf = (basePath: string, url: string, token: string | undefined) => `${basePath} ${url} ${token ?? ''}`;

  function endpointFor(url: string, basePath: string, token: string | undefined): UpstreamEndpoint | undefined {
    const key = keyOf(basePath, url, token);
    let endpoint = endpoints.get(key);
    if (!endpoint) {
      try {
        endpoint = createEndpoint(url, basePath, token);
      } catch {
        return undefined;
      }
      endpoints.set(key, endpoint);
    }
    return endpoint;
  }

  function build(sources: RouteSource[]): void {
    const names = new Map<string, RouteEntry>();
    const models = new Map<string, RouteEntry[]>();
    const used = new Set<string>();
    for (const source of sources) {
      const runtime = options.runtime(source.runtime);
      const basePath = runtime?.openaiBasePath ?? '/v1';
      const list: UpstreamEndpoint[] = [];
      for (const url of source.endpoints) {
        const token = source.tokens?.get(url);
        const endpoint = endpointFor(url, basePath, token);
        if (endpoint) {
          list.push(endpoint);
          used.add(keyOf(basePath, url, token));
        }
      }
      const previous = byName.get(source.name);
      const entry: RouteEntry = {
        id: source.id,
        name: source.name,
        status: source.status,
        modelName: source.modelName,
        clusterName: source.clusterName,
        runtime: source.runtime,
        createdAt: source.createdAt,
        supportsIncludeUsage: runtime?.supportsIncludeUsage ?? false,
        paths: allowlistOf(runtime),
        endpoints: list,
        turn: previous?.turn ?? 0,
      };
      names.set(source.name, entry);
      const sameModel = models.get(source.modelName);
      if (sameModel) sameModel.push(entry);
      else models.set(source.modelName, [entry]);
    }
    // Endpoints no deployment lists any more are forgotten once nothing is in flight to them.
    for (const [key, endpoint] of endpoints) if (!used.has(key) && endpoint.inFlight === 0) endpoints.delete(key);
    byName = names;
    byModel = models;
  }

  async function refresh(): Promise<void> {
    running ??= (async () => {
      startedAt = now();
      generation += 1;
      try {
        build(await options.load());
        loadedAt = now();
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  function backgroundRefresh(): void {
    if (running || now() - startedAt < minGapMs) return;
    refresh().catch((error: unknown) => options.logger.warn({ err: error }, 'gateway route table refresh failed'));
  }

  return {
    /** Loads every deployment now (the loop's tick). Concurrent calls share one load. */
    refresh,

    /** The deployment named `name`, from memory; kicks a background refresh when the table is old. */
    get(name: string): RouteEntry | undefined {
      if (now() - loadedAt > maxAgeMs) backgroundRefresh();
      return byName.get(name);
    },

    /** Deployments of the model named `modelName`. */
    forModel(modelName: string): readonly RouteEntry[] {
      return byModel.get(modelName) ?? [];
    },

    /** Every deployment, by name. */
    all(): IterableIterator<RouteEntry> {
      if (now() - loadedAt > maxAgeMs) backgroundRefresh();
      return byName.values();
    },

    /**
     * Refreshes unless one ran within `minRefreshGapMs`: for lookups that found nothing to
     * serve, so a deployment that just came up is served at once, without a storm of queries.
     */
    async refreshSoon(): Promise<void> {
      if (!running && now() - startedAt < minGapMs) return;
      try {
        await (running ?? refresh());
      } catch (error) {
        // The last good table keeps routing (a database outage must not stop inference); only
        // a table that never loaded has nothing to answer from.
        if (loadedAt === Number.NEGATIVE_INFINITY) throw error;
        options.logger.warn({ err: error }, 'gateway route table refresh failed: routing by the last table loaded');
      }
    },

    /** Loads started so far; a request notes it when it picks an endpoint, for `reresolve`. */
    generation: () => generation,

    /**
     * After connecting to an endpoint of `name` failed: the entry from a table whose load started
     * after the request picked that endpoint (`seen`, `generation()` then). A load already that
     * new (running or done) is used as it is, so a burst of failures causes one load, not one
     * each; otherwise this loads now. `reloaded` is true for the caller whose load succeeded.
     * A failed load leaves the last table (logged), as `refreshSoon` does.
     */
    async reresolve(name: string, seen: number): Promise<{ entry: RouteEntry | undefined; reloaded: boolean }> {
      let reloaded = false;
      try {
        // A load that started before the failure may not see the replacement: let it end first.
        if (running && generation <= seen) await running;
      } catch {
        // Logged by the loop that started it; a new load follows.
      }
      try {
        if (running) await running;
        else if (generation <= seen) {
          await refresh();
          reloaded = true;
        }
      } catch (error) {
        options.logger.warn({ err: error }, 'gateway route table reload after a connection failure failed: routing by the last table loaded');
      }
      return { entry: byName.get(name), reloaded };
    },

    /** Seconds since the last successful load (for diagnostics). */
    ageMs: () => now() - loadedAt,
  };
}

export type RouteTable = ReturnType<typeof createRouteTable>;
