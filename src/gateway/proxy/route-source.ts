import type { DeploymentStatus } from '../../domain/deployment-status.js';
import type { RouteSource } from './route-table.js';

/** A deployment row as the deployments repository reads it (the fields routing needs). */
export interface DeploymentRouteRow {
  id: string;
  name: string;
  status: DeploymentStatus;
  modelName: string;
  /** The cluster the deployment is on: only that cluster's driver may give its live endpoints. */
  clusterId: string;
  clusterName: string;
  runtime: string;
  paused: boolean;
  deleting: boolean;
  createdAt: Date;
  endpoints: string[];
}

/**
 * A cluster driver as routing sees it: one that answers its workloads' ready endpoints from
 * memory defines `upstreams` (see `ClusterDriver.upstreams`), with the token each requires.
 */
export interface LiveEndpointSource {
  list(): Promise<Array<{ name: string; deploymentId: string }>>;
  upstreams?(name: string): Promise<Array<{ url: string; token: string | null }>>;
}

/**
 * Loads the route table's rows: every deployment from the database, with the endpoints the
 * reconciler saved — except where the driver of the cluster the deployment is on answers from
 * memory (`live`: the cluster registry's drivers with the cluster each acts for, asked at each
 * load since drivers come and go with clusters): then its live list wins, so a replica that came
 * up or moved to another port is routed to at once instead of at the next reconcile. A copy of the
 * same workload on another cluster (the old copy a failover left on a cluster that answers again,
 * until it is removed) is never routed to.
 */
export function createRouteSource(deps: {
  deployments: { all(): Promise<DeploymentRouteRow[]> };
  live?: () => ReadonlyArray<{ clusterId: string; driver: LiveEndpointSource }>;
}): () => Promise<RouteSource[]> {
  return async () => {
    const rows = await deps.deployments.all();
    const live = new Map<string, string[]>();
    const tokens = new Map<string, string>();
    for (const { clusterId, driver } of deps.live?.() ?? []) {
      if (!driver.upstreams) continue;
      for (const workload of await driver.list()) {
        const upstreams = await driver.upstreams(workload.name);
        live.set(`${clusterId} ${workload.deploymentId} ${workload.name}`, upstreams.map((upstream) => upstream.url));
        for (const upstream of upstreams) if (upstream.token !== null) tokens.set(upstream.url, upstream.token);
      }
    }
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      status: row.status,
      modelName: row.modelName,
      clusterName: row.clusterName,
      runtime: row.runtime,
      createdAt: row.createdAt,
      endpoints: row.paused || row.deleting ? [] : (live.get(`${row.clusterId} ${row.id} ${row.name}`) ?? row.endpoints),
      tokens,
    }));
  };
}
