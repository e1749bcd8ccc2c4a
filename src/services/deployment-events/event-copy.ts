import type { ClusterDriver, ClusterWorkloadEvent } from '../../clusters/cluster-driver.js';
import type { ClusterRegistry } from '../../clusters/cluster-registry.js';
import { LOCAL_CLUSTER_NAME, type Cluster } from '../../domain/cluster.js';
import type { ClusterScope } from '../../domain/loops.js';
import type { Logger } from '../../lib/logger.js';
import { readWithDeadline } from '../deployments/live-read.js';
import type { CopiedEvents, DeploymentEventService } from './deployment-event-service.js';

/** Which clusters a pass covers: those reached over the network (`shared`), or cluster local (`owned`). */

/** A deployment as the copy maps workloads to it: by cluster and name. */
export interface CopiedDeployment {
  id: string;
  name: string;
  clusterId: string;
  clusterName: string;
}

export interface EventCopyDeps {
  deployments: { all(): Promise<CopiedDeployment[]> };
  clusters: { get(name: string): Promise<Cluster> };
  drivers: Pick<ClusterRegistry, 'actingDriver'>;
  events: Pick<DeploymentEventService, 'record'>;
  logger: Logger;
  now?: () => Date;
  /** Deadline of one cluster's read (default 15 s). */
  readTimeoutMs?: number;
}

/**
 * Each copy reads events last seen since the previous copy of the cluster began, less this
 * margin: an event can reach a watch cache a moment after its timestamp (Kubernetes' have whole
 * seconds only). Reading one twice is harmless: the same report adds nothing.
 */
export const SINCE_MARGIN_MS = 5 * 60_000;

/**
 * Copies the events of every cluster's workloads into the database: one read per cluster
 * (`clusterEvents`, one list per namespace), or per workload for drivers without it. Only
 * clusters this instance acts on and that have deployments are read; workloads are mapped to
 * deployments by (cluster, name), others (not H-MAS's, or deleted) are left out.
 */
export function createEventCopy(deps: EventCopyDeps) {
  const now = deps.now ?? (() => new Date());
  const readTimeoutMs = deps.readTimeoutMs ?? 15_000;
  // The start of each cluster's last successful copy; the first copy (after a start) reads everything.
  const copiedSince = new Map<string, Date>();

  async function readEvents(driver: ClusterDriver, names: readonly string[], since: Date | undefined, signal: AbortSignal): Promise<ClusterWorkloadEvent[]> {
    if (driver.clusterEvents) return driver.clusterEvents(since, { signal });
    const events: ClusterWorkloadEvent[] = [];
    for (const name of names) events.push(...(await driver.events(name, since, { signal })).map((event) => ({ ...event, workload: name })));
    return events;
  }

  async function copyCluster(clusterName: string, deployments: readonly CopiedDeployment[], signal?: AbortSignal): Promise<number> {
    const driver = await deps.drivers.actingDriver(await deps.clusters.get(clusterName));
    // Cluster local of another instance: its owner copies it.
    if (!driver) return 0;
    const clusterId = deployments[0]!.clusterId;
    const started = now();
    const previous = copiedSince.get(clusterId);
    const since = previous ? new Date(previous.getTime() - SINCE_MARGIN_MS) : undefined;
    const byName = new Map(deployments.map((deployment) => [deployment.name, deployment]));
    const read = await readWithDeadline(readTimeoutMs, (deadline) => {
      if (!signal) return readEvents(driver, [...byName.keys()], since, deadline);
      // Stopping the loop ends the read at once, even from a driver that ignores its signal.
      let onAbort = () => {};
      const stopped = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      return Promise.race([readEvents(driver, [...byName.keys()], since, AbortSignal.any([signal, deadline])), stopped]).finally(() => signal.removeEventListener('abort', onAbort));
    });
    const events: CopiedEvents['events'] = read.flatMap(({ workload, ...event }) => {
      const deployment = byName.get(workload);
      return deployment ? [{ deployment: { id: deployment.id, name: deployment.name }, event }] : [];
    });
    const saved = await deps.events.record({ cluster: { id: clusterId, name: clusterName }, events });
    copiedSince.set(clusterId, started);
    return saved;
  }

  return {
    /**
     * One pass over every cluster with deployments; a cluster that fails is logged and tried
     * again next time. `scope` (default: all): `shared`, the clusters reached over the network
     * (the leader copies them); `owned`, cluster local (its owner copies it, leader or not:
     * only it has the replicas' events).
     */
    async copyAll(signal?: AbortSignal, scope?: ClusterScope): Promise<void> {
      const byCluster = new Map<string, CopiedDeployment[]>();
      for (const deployment of await deps.deployments.all()) {
        if (scope && (deployment.clusterName === LOCAL_CLUSTER_NAME) !== (scope === 'owned')) continue;
        const list = byCluster.get(deployment.clusterName) ?? [];
        list.push(deployment);
        byCluster.set(deployment.clusterName, list);
      }
      for (const [clusterName, deployments] of byCluster) {
        if (signal?.aborted) return;
        try {
          await copyCluster(clusterName, deployments, signal);
        } catch (error) {
          if (signal?.aborted) return;
          deps.logger.warn({ err: error, cluster: clusterName }, 'copying the cluster\'s events failed; trying again next time');
        }
      }
    },
  };
}

export type EventCopy = ReturnType<typeof createEventCopy>;
