import type { Cluster, ConnectionInput, ConnectionKind } from '../domain/cluster.js';
import type { GpuCapacity } from '../domain/deployment-plan.js';
import { ConflictError } from '../lib/errors.js';
import type { ClusterConnector, ConnectorRegistry, ResolvedConnection } from './cluster-connector.js';
import type { ClusterDriver } from './cluster-driver.js';
import { createClusterKinds, type ClusterKind, type ConnectorOptions, type Placed } from './cluster-kinds.js';
import { actsHere, ClusterOwnedByOtherHostError } from './local-ownership.js';

/** A stored connection with its revision: a new revision (the cluster was re-pointed) gets a new driver. */
export interface StoredConnection {
  connection: ResolvedConnection;
  version: number;
}

/** Makes the driver of one stored cluster of a kind reached over the network. */
export type DriverFactory = (cluster: Cluster, connection: ResolvedConnection) => ClusterDriver;

/** The kinds whose drivers are made per stored cluster (the local host has one driver, given whole). */
export type RemoteKind = Exclude<ConnectionKind, 'local'>;

export interface ClusterRegistryOptions extends ConnectorOptions {
  /** This instance's host identity: it acts on cluster `local` only when it owns it. */
  hostId?: string;
  /**
   * The host driver, there only on the instance that owns cluster `local` (a driver of another
   * host's replicas would start its own copies of them). Read when asked, so it can be created
   * after the registry.
   */
  localDriver?: () => ClusterDriver | undefined;
  /**
   * Drivers of the kinds reached over the network, one per stored cluster, e.g.
   * `kubeconfig: (cluster, connection) => createKubernetesDriver({ ... })`. A kind without one
   * answers 409 CLUSTER_KIND_NOT_SUPPORTED.
   */
  drivers?: Partial<Record<RemoteKind, DriverFactory>>;
  /** A stored cluster's connection with its secrets (the cluster service's); needed only with `drivers`. */
  connectionOf?: (cluster: Cluster) => Promise<StoredConnection>;
}

/** Every connection kind H-MAS knows: connecting, the drivers that run workloads, and placement capacity. */
export interface ClusterRegistry extends ConnectorRegistry {
  /**
   * The driver when this instance acts on the cluster's workloads; null for a local cluster
   * another instance owns: changes are then only written to the database, and the owner's
   * reconciler applies them. 409 CLUSTER_KIND_NOT_SUPPORTED where H-MAS cannot deploy yet.
   */
  actingDriver(cluster: Cluster): Promise<ClusterDriver | null>;
  /** As `actingDriver`, and 409 CLUSTER_OWNED_BY_OTHER_HOST for a local cluster this instance does not own. */
  forCluster(cluster: Cluster): Promise<ClusterDriver>;
  /** Whether the cluster's replicas run as processes on an H-MAS host (no container boundary). */
  runsOnHost(cluster: Pick<Cluster, 'connection'>): boolean;
  /** Free GPUs per node for placement, counted the way the cluster's kind needs. */
  capacity(cluster: Cluster, placed: Placed): Promise<GpuCapacity>;
  /** Closes the driver made for a cluster (deleted, or re-pointed); the next use makes a new one. */
  forget(clusterId: string): Promise<void>;
  /** Every driver made so far (and the host driver), for shutdown. */
  all(): ClusterDriver[];
  /**
   * Every driver made so far with the cluster it acts for, for live endpoints: the host driver
   * acts for `hostClusterId` (cluster local, when this instance owns it), and is left out without it.
   */
  byCluster(hostClusterId: string | undefined): Array<{ clusterId: string; driver: ClusterDriver }>;
}

function notSupported(cluster: Cluster): ConflictError {
  return new ConflictError(
    'CLUSTER_KIND_NOT_SUPPORTED',
    `Cluster "${cluster.name}" is a ${cluster.connection.kind} cluster; H-MAS cannot deploy to ${cluster.connection.kind} clusters yet (the pull-mode agent driver comes next); choose a local, Kubernetes or Karmada cluster.`,
  );
}

export function createClusterRegistry(options: ClusterRegistryOptions): ClusterRegistry {
  const kinds = createClusterKinds(options);
  const kindOf = (kind: ConnectionKind): ClusterKind => kinds[kind] as ClusterKind;
  const made = new Map<string, { version: number; driver: ClusterDriver }>();
  // One creation at a time per cluster: two requests at once must not make two drivers.
  const making = new Map<string, Promise<ClusterDriver>>();

  async function remoteDriver(cluster: Cluster, factory: DriverFactory): Promise<ClusterDriver> {
    if (!options.connectionOf) throw new Error('createClusterRegistry: drivers need connectionOf');
    const pending = making.get(cluster.id);
    if (pending) return pending;
    const next = (async () => {
      const stored = await options.connectionOf!(cluster);
      const cached = made.get(cluster.id);
      if (cached && cached.version === stored.version) return cached.driver;
      if (cached) await closeQuietly(cached.driver);
      const driver = factory(cluster, stored.connection);
      made.set(cluster.id, { version: stored.version, driver });
      return driver;
    })();
    making.set(cluster.id, next);
    try {
      return await next;
    } finally {
      making.delete(cluster.id);
    }
  }

  async function closeQuietly(driver: ClusterDriver): Promise<void> {
    await driver.close().catch((error: unknown) => options.logger?.warn({ err: error }, 'closing a cluster driver failed'));
  }

  async function actingDriver(cluster: Cluster): Promise<ClusterDriver | null> {
    const kind = cluster.connection.kind;
    if (kind === 'local') {
      const local = options.localDriver?.();
      return local && actsHere(cluster, options.hostId) ? local : null;
    }
    const factory = options.drivers?.[kind];
    if (!factory) throw notSupported(cluster);
    return remoteDriver(cluster, factory);
  }

  return {
    resolve(input: ConnectionInput): ResolvedConnection {
      // Each kind's resolve takes its own input; `kind` picks the entry that matches it.
      return (kindOf(input.kind).resolve as (input: ConnectionInput) => ResolvedConnection)(input);
    },
    connect(connection: ResolvedConnection): ClusterConnector {
      return kindOf(connection.kind).connect(connection);
    },
    actingDriver,
    async forCluster(cluster) {
      const driver = await actingDriver(cluster);
      if (!driver) throw new ClusterOwnedByOtherHostError(cluster, 'read its replicas');
      return driver;
    },
    runsOnHost: (cluster) => kindOf(cluster.connection.kind).hostProcesses,
    capacity: (cluster, placed) => kindOf(cluster.connection.kind).capacity(cluster, placed),
    async forget(clusterId) {
      const cached = made.get(clusterId);
      made.delete(clusterId);
      if (cached) await closeQuietly(cached.driver);
    },
    all() {
      const local = options.localDriver?.();
      return [...(local ? [local] : []), ...[...made.values()].map((entry) => entry.driver)];
    },
    byCluster(hostClusterId) {
      const local = options.localDriver?.();
      const remote = [...made.entries()].map(([clusterId, entry]) => ({ clusterId, driver: entry.driver }));
      return local && hostClusterId ? [{ clusterId: hostClusterId, driver: local }, ...remote] : remote;
    },
  };
}
