import type { ClusterDriver } from '../../clusters/cluster-driver.js';
import { ConflictError } from '../../lib/errors.js';

/** Which driver runs workloads on a cluster, by the cluster's connection kind. */
export interface DriverRegistry {
  /** The driver for a cluster; 409 CLUSTER_KIND_NOT_SUPPORTED where H-MAS cannot deploy yet. */
  forCluster(cluster: { name: string; connection: { kind: string } }): ClusterDriver;
  /** Every driver, for shutdown. */
  all(): ClusterDriver[];
}

export function createDriverRegistry(drivers: { local?: ClusterDriver }): DriverRegistry {
  return {
    forCluster(cluster) {
      if (cluster.connection.kind === 'local' && drivers.local) return drivers.local;
      throw new ConflictError(
        'CLUSTER_KIND_NOT_SUPPORTED',
        `Cluster "${cluster.name}" is a ${cluster.connection.kind} cluster; H-MAS deploys to the local host today (Kubernetes, Karmada and agent drivers come next).`,
      );
    },
    all: () => (drivers.local ? [drivers.local] : []),
  };
}
