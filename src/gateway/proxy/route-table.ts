import type { DeploymentStatus } from '../../domain/deployment-status.js';
import type { Logger } from '../../lib/logger.js';
import { createEndpoint, type PickState, type UpstreamEndpoint } from './balancer.js';

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
}

/** What the gateway needs of a runtime: where its OpenAI API is and whether it can report stream usage. */
export interface RouteRuntime {
  openaiBasePath: string;
  supportsIncludeUsage: boolean;
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

  function endpointFor(url: string, basePath: string): UpstreamEndpoint | undefined {
    const key = `${basePath} ${url}`;
    let endpoint = endpoints.get(key);
    if (!endpoint) {
      try {
        endpoint = createEndpoint(url, basePath);
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
        const endpoint = endpointFor(url, basePath);
        if (endpoint) {
          list.push(endpoint);
          used.add(`${basePath} ${url}`);
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

    /** Seconds since the last successful load (for diagnostics). */
    ageMs: () => now() - loadedAt,
  };
}

export type RouteTable = ReturnType<typeof createRouteTable>;
