import type { ClusterDriver } from '../../clusters/cluster-driver.js';
import { ConflictError } from '../../lib/errors.js';
import { actsHere, ClusterOwnedByOtherHostError, type OwnedCluster } from '../clusters/local-ownership.js';

/** Which driver runs workloads on a cluster, by the cluster's connection kind. */
export interface DriverRegistry {
  /**
   * The driver for a cluster; 409 CLUSTER_KIND_NOT_SUPPORTED where H-MAS cannot deploy yet, and
   * 409 CLUSTER_OWNED_BY_OTHER_HOST for a local cluster this instance does not own.
   */
  forCluster(cluster: OwnedCluster): ClusterDriver;
  /**
   * The driver when this instance acts on the cluster's workloads; null for a local cluster
   * another instance owns: changes are then only written to the database, and the owner's
   * reconciler applies them. 409 CLUSTER_KIND_NOT_SUPPORTED as `forCluster`.
   */
  actingDriver(cluster: OwnedCluster): ClusterDriver | null;
  /** Every driver, for shutdown. */
  all(): ClusterDriver[];
}

/**
 * `local` is this instance's local host driver, given only when this instance owns the local
 * cluster (`hostId`): a driver of another host's replicas would start its own copies of them.
 */
export function createDriverRegistry(drivers: { local?: ClusterDriver }, hostId?: string): DriverRegistry {
  function actingDriver(cluster: OwnedCluster): ClusterDriver | null {
    if (cluster.connection.kind === 'local') return drivers.local && actsHere(cluster, hostId) ? drivers.local : null;
    throw new ConflictError(
      'CLUSTER_KIND_NOT_SUPPORTED',
      `Cluster "${cluster.name}" is a ${cluster.connection.kind} cluster; H-MAS deploys to the local host today (Kubernetes, Karmada and agent drivers come next).`,
    );
  }
  return {
    actingDriver,
    forCluster(cluster) {
      const driver = actingDriver(cluster);
      if (!driver) throw new ClusterOwnedByOtherHostError(cluster, 'read its replicas');
      return driver;
    },
    all: () => (drivers.local ? [drivers.local] : []),
  };
}
