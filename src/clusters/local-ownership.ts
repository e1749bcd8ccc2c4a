import type { OwnerHost } from '../domain/cluster.js';
import type { ClusterScope } from '../domain/loops.js';
import { ConflictError } from '../lib/errors.js';

/** What ownership rules need of a cluster. */
export interface OwnedCluster {
  name: string;
  connection: { kind: string };
  ownerHost: OwnerHost | null;
}

/**
 * Whether this instance runs the cluster's workloads itself. Every kind but `local` is reached
 * over the network, so any instance may act on it; a local cluster only by the instance whose
 * data directory holds its replicas (the owner). An unclaimed local cluster belongs to no one
 * until an instance with HMAS_LOCAL_CLUSTER=true starts and claims it.
 */
export function actsHere(cluster: OwnedCluster, hostId: string | undefined): boolean {
  if (cluster.connection.kind !== 'local') return true;
  return hostId !== undefined && cluster.ownerHost?.id === hostId;
}

/**
 * Whether a loop pass over `scope` covers the cluster: `owned` is the local cluster (only its
 * owner acts on it), `shared` every other kind (any instance may; the leader does).
 */
export function inClusterScope(cluster: Pick<OwnedCluster, 'connection'>, scope: ClusterScope | undefined): boolean {
  if (!scope) return true;
  return (cluster.connection.kind === 'local') === (scope === 'owned');
}

/** Who the owner is, in words for messages. */
export function describeOwner(cluster: OwnedCluster): string {
  return cluster.ownerHost ? `host ${cluster.ownerHost.hostname} (H-MAS instance ${cluster.ownerHost.id})` : 'no H-MAS instance yet (start one with HMAS_LOCAL_CLUSTER=true to claim it)';
}

/**
 * What only the owner can do here (live reads of its replicas' files, a test of its host):
 * refused by name, so the caller knows which instance to ask.
 */
export class ClusterOwnedByOtherHostError extends ConflictError {
  constructor(cluster: OwnedCluster, what: string) {
    super(
      'CLUSTER_OWNED_BY_OTHER_HOST',
      `Cluster "${cluster.name}" runs on ${describeOwner(cluster)}, not on the instance that answered: ${what} through that host's H-MAS instance.`,
      { cluster: cluster.name, ownerHost: cluster.ownerHost },
    );
  }
}
