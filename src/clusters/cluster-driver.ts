import type { LogLine, ReplicaLogs, WorkloadEndpoint, WorkloadEvent, WorkloadSpec, WorkloadStatus } from '../domain/workload.js';
import type { ClusterConnector } from './cluster-connector.js';

/** What `apply` did. */
export interface ApplyResult {
  /**
   * - `created`: the workload did not exist;
   * - `updated`: the spec changed (new `specHash`): replicas are being replaced, one by one for
   *   RollingUpdate, all at once for Recreate;
   * - `scaled`: same spec, another replica count: no replica restarts;
   * - `unchanged`: same spec and replica count: nothing restarts.
   */
  action: 'created' | 'updated' | 'scaled' | 'unchanged';
  specHash: string;
}

/** One workload a driver runs, as `list` answers it. */
export interface WorkloadSummary {
  name: string;
  deploymentId: string;
  specHash: string;
  replicas: number;
}

/** One ready replica as the gateway reaches it. */
export interface WorkloadUpstream {
  url: string;
  /** Sent as the replica's bearer token; null when the runtime takes none. */
  token: string | null;
}

export interface LogOptions {
  /** Only this replica (an id from `status`); all replicas when absent. */
  replica?: string;
  /** Lines per replica, from the end (default 100). */
  tailLines?: number;
  /** The output of the replica's previous run (a container that restarted); drivers without one ignore it. */
  previous?: boolean;
}

export interface FollowLogOptions extends LogOptions {
  /** Ends the stream. The stream also ends when the workload is removed. */
  signal?: AbortSignal;
}

/** An event of one of a driver's workloads, named (`clusterEvents`). */
export type ClusterWorkloadEvent = WorkloadEvent & { workload: string };

export interface ReadOptions {
  /** Callers put a deadline on live reads (5 s for one deployment, 2 s in lists). */
  signal?: AbortSignal;
}

/**
 * How H-MAS runs workloads on one cluster: the one interface every cluster kind implements
 * (local host, Kubernetes, Karmada federation, pull-mode agent). A contract suite
 * (`test/contracts/cluster-driver.contract.ts`) runs against every implementation.
 *
 * Workloads are named by their spec's `name` (the deployment's name). The driver owns bringing
 * the cluster to the applied spec: calls return once the change is recorded, not once replicas
 * are ready — follow progress with `status` and `events`.
 *
 * Reads of a workload the driver does not have answer `null` (status) or empty lists (events,
 * logs, endpoints), so callers can tell "gone from the cluster" from "cluster unreachable"
 * (which rejects).
 */
export interface ClusterDriver extends ClusterConnector {
  /**
   * Makes the cluster run `spec`. Idempotent: the same spec (same `specHash`) restarts nothing,
   * whatever the replica count; a changed spec replaces replicas following `spec.strategy`.
   * Replicas that could not start at all (BinaryNotFound) are tried again. Rejects a spec
   * whose `specHash` does not match its content.
   */
  apply(spec: WorkloadSpec): Promise<ApplyResult>;
  /**
   * Sets the replica count without touching the spec. 0 stops every replica but keeps the
   * workload (status, events, spec) so scaling back up is fast. Rejects with NotFoundError
   * (404 WORKLOAD_NOT_FOUND) for an unknown workload.
   */
  scale(name: string, replicas: number): Promise<void>;
  /**
   * Stops every replica (SIGTERM, then SIGKILL after a grace period, or the cluster's
   * equivalent) and forgets the workload. Resolves once nothing of it runs;
   * `removed: false` when there was nothing to remove.
   */
  remove(name: string): Promise<{ removed: boolean }>;
  /** Replica counts, per-replica state and the reason of anything wrong; null for an unknown workload. */
  status(name: string, options?: ReadOptions): Promise<WorkloadStatus | null>;
  /** Events of the workload and its replicas whose last occurrence is at or after `since`, oldest first. */
  events(name: string, since?: Date, options?: ReadOptions): Promise<WorkloadEvent[]>;
  /**
   * Events of every workload the driver runs, whose last occurrence is at or after `since`, each
   * with its workload's name — the same events `events(name)` answers, in one call for the whole
   * cluster (one list per namespace), for the event-copy loop. Optional: without it the loop asks
   * `events` per workload.
   */
  clusterEvents?(since?: Date, options?: ReadOptions): Promise<ClusterWorkloadEvent[]>;
  /** The last lines of each replica's output. */
  logs(name: string, options?: LogOptions & ReadOptions): Promise<ReplicaLogs[]>;
  /** The last lines, then every new line as it is written (`hmas logs -f`). */
  followLogs(name: string, options?: FollowLogOptions): AsyncIterable<LogLine>;
  /** Where inference traffic goes: ready replicas only (empty while none is ready). */
  endpoints(name: string, options?: ReadOptions): Promise<WorkloadEndpoint[]>;
  /** Every workload this driver runs (for reconcilers: finds workloads the database lost). */
  list(options?: ReadOptions): Promise<WorkloadSummary[]>;
  /**
   * Where the gateway sends a workload's traffic, with the token each ready replica requires
   * (null: none), answered from memory: the local driver's supervisor, a Kubernetes driver's
   * watch cache. A driver that defines it promises that `list` and `upstreams` make no call
   * over the network: the gateway's route source asks every such driver each second (through
   * the cluster registry's `all()`), and its answer wins over the endpoints the reconciler
   * saved. Drivers that cannot answer from memory leave it out: the saved endpoints are used.
   * Tokens never appear in `endpoints`, `status`, events or logs.
   */
  upstreams?(name: string): Promise<WorkloadUpstream[]>;
  /**
   * Stops the driver's own background work (timers, watches). Workloads keep running: a new
   * driver instance picks them up.
   */
  close(): Promise<void>;
}
