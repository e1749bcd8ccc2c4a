import type { ClusterDriver } from '../../clusters/cluster-driver.js';
import type { Cluster } from '../../domain/cluster.js';
import type { Deployment, DeploymentListQuery } from '../../domain/deployment.js';
import { deriveStatus, type DeploymentStatus, type StatusSource } from '../../domain/deployment-status.js';
import type { Optimization } from '../../domain/optimization.js';
import type { Page } from '../../domain/pagination.js';
import { ROLLBACK_FAILED } from '../../domain/rollout.js';
import type { LogLine, ReplicaLogs, WorkloadEvent, WorkloadStatus } from '../../domain/workload.js';
import { AppError, NotFoundError } from '../../lib/errors.js';
import { DEFAULT_LIVE_TIMEOUTS, type DeploymentServiceDeps } from './deployment-deps.js';
import type { DeploymentRecord } from './deployment-repo.js';
import { readWithDeadline } from './live-read.js';

/** What one live read of a workload says, in a deployment's terms. */
export interface Observed {
  status: DeploymentStatus;
  readyReplicas: number;
  endpoints: string[];
  reason: string | null;
  message: string;
}

export function toDeployment(record: DeploymentRecord, source: StatusSource, observed?: Observed): Deployment {
  return {
    id: record.id,
    name: record.name,
    modelId: record.modelId,
    modelName: record.modelName,
    cluster: record.clusterName,
    placementStrategyId: record.placementStrategyId,
    runtime: record.runtime as Deployment['runtime'],
    replicas: record.replicas,
    readyReplicas: observed?.readyReplicas ?? record.readyReplicas,
    resourceProfileId: record.resourceProfileId,
    optimizationPresetId: record.optimizationPresetId,
    optimization: record.optimization as Optimization,
    status: observed?.status ?? record.status,
    statusSource: source,
    statusReason: observed ? observed.reason : record.statusReason,
    statusMessage: observed ? observed.message : record.statusMessage,
    observedAt: record.observedAt ? record.observedAt.toISOString() : null,
    endpoints: observed?.endpoints ?? record.endpoints,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

function interpret(record: DeploymentRecord, status: WorkloadStatus | null, endpoints: string[]): Observed {
  const reasons = status ? [status.reason, ...status.replicaStatuses.map((replica) => replica.reason)].filter((reason): reason is string => Boolean(reason)) : [];
  const derived = deriveStatus(
    { exists: status !== null, desiredReplicas: status?.replicas.desired ?? 0, readyReplicas: status?.replicas.ready ?? 0, reasons },
    { paused: record.paused, deleting: record.deleting },
  );
  const message = status === null && !record.paused ? 'The workload is not on the cluster.' : (status?.message ?? '');
  // A rollback that failed itself holds the deployment failed, with both reasons, until the next
  // change of its spec (which clears the reason), however the replicas look meanwhile.
  if (record.statusReason === ROLLBACK_FAILED && derived !== 'paused' && derived !== 'deleting' && status?.specHash === record.specHash) {
    return { status: 'failed', readyReplicas: status.replicas.ready, endpoints, reason: ROLLBACK_FAILED, message: record.statusMessage };
  }
  return { status: derived, readyReplicas: status?.replicas.ready ?? 0, endpoints: derived === 'paused' ? [] : endpoints, reason: status?.reason ?? null, message };
}

/** The read side of deployments: live status with deadlines, what is saved of it, events and logs. */
export function createDeploymentObservation(deps: Pick<DeploymentServiceDeps, 'repo' | 'clusters' | 'drivers' | 'logger' | 'timeouts'>) {
  const { repo, drivers, logger } = deps;
  const timeouts = deps.timeouts ?? DEFAULT_LIVE_TIMEOUTS;

  /** Reads only the cluster can answer: a cluster that does not is a 503 in words, not a 500. */
  async function liveOrUnavailable<T>(clusterName: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof AppError) throw error;
      logger.warn({ err: error, cluster: clusterName }, 'live read failed');
      throw new AppError('CLUSTER_UNAVAILABLE', `Cluster "${clusterName}" did not answer; try again in a moment.`, { statusCode: 503, cause: error });
    }
  }

  async function requireRecord(id: string): Promise<DeploymentRecord> {
    const record = await repo.find(id);
    if (!record) throw new NotFoundError('deployment', id);
    return record;
  }

  /** The driver of a deployment's cluster for a live read (409 where this instance cannot read it). */
  async function readerOf(record: DeploymentRecord): Promise<ClusterDriver> {
    return drivers.forCluster(await deps.clusters.get(record.clusterName));
  }

  async function observe(driver: ClusterDriver, record: DeploymentRecord, deadlineMs: number): Promise<{ observed: Observed; status: WorkloadStatus | null }> {
    return readWithDeadline(deadlineMs, async (signal) => {
      const [status, endpoints] = await Promise.all([driver.status(record.name, { signal }), driver.endpoints(record.name, { signal })]);
      return { observed: interpret(record, status, endpoints.map((endpoint) => endpoint.url)), status };
    });
  }

  /** Saves what was observed when it differs from what is saved (reads stay cheap). */
  async function remember(record: DeploymentRecord, observed: Observed): Promise<void> {
    const same =
      record.status === observed.status &&
      record.readyReplicas === observed.readyReplicas &&
      record.statusReason === observed.reason &&
      record.statusMessage === observed.message &&
      JSON.stringify(record.endpoints) === JSON.stringify(observed.endpoints) &&
      record.consecutiveFailures === 0;
    if (same) return;
    await repo.update(
      record.id,
      {
        status: observed.status,
        readyReplicas: observed.readyReplicas,
        statusReason: observed.reason,
        statusMessage: observed.message,
        endpoints: observed.endpoints,
        observedAt: new Date(),
        consecutiveFailures: 0,
      },
      { onCluster: record.clusterId },
    );
  }

  /** Live status with a deadline; the saved status (`cached`) when the cluster does not answer. */
  async function withLiveStatus(record: DeploymentRecord, deadlineMs: number, cluster?: Cluster): Promise<Deployment> {
    try {
      const driver = await drivers.forCluster(cluster ?? (await deps.clusters.get(record.clusterName)));
      const { observed } = await observe(driver, record, deadlineMs);
      await remember(record, observed);
      return toDeployment(record, 'live', observed);
    } catch (error) {
      logger.debug({ err: error, deployment: record.name }, 'live status unavailable, answering the saved one');
      return toDeployment(record, 'cached');
    }
  }

  return {
    timeouts,
    requireRecord,
    observe,
    remember,
    withLiveStatus,

    async list(query: DeploymentListQuery): Promise<Page<Deployment>> {
      const { rows, total } = await repo.list(query);
      // One cluster lookup per cluster, then every live read in parallel, each with its deadline.
      const clusters = new Map<string, Promise<Cluster | undefined>>();
      const clusterOf = (name: string) => {
        if (!clusters.has(name)) clusters.set(name, deps.clusters.get(name).catch(() => undefined));
        return clusters.get(name)!;
      };
      const items = await Promise.all(
        rows.map(async (record) => {
          const cluster = await clusterOf(record.clusterName);
          return cluster ? withLiveStatus(record, timeouts.listMs, cluster) : toDeployment(record, 'cached');
        }),
      );
      return { items, total, limit: query.limit, offset: query.offset };
    },

    async get(id: string): Promise<Deployment> {
      return withLiveStatus(await requireRecord(id), timeouts.singleMs);
    },

    async events(id: string, since: Date | undefined): Promise<WorkloadEvent[]> {
      const record = await requireRecord(id);
      const driver = await readerOf(record);
      return liveOrUnavailable(record.clusterName, () => readWithDeadline(timeouts.singleMs, (signal) => driver.events(record.name, since, { signal })));
    },

    async logs(id: string, tailLines: number, replica: string | undefined, previous = false): Promise<ReplicaLogs[]> {
      const record = await requireRecord(id);
      const driver = await readerOf(record);
      return liveOrUnavailable(record.clusterName, () => readWithDeadline(timeouts.singleMs, (signal) => driver.logs(record.name, { tailLines, signal, ...(replica ? { replica } : {}), ...(previous ? { previous } : {}) })));
    },

    /** The last lines, then each new line as the replicas write it, until `signal` aborts. */
    async followLogs(id: string, tailLines: number, signal: AbortSignal): Promise<AsyncIterable<LogLine>> {
      const record = await requireRecord(id);
      const driver = await readerOf(record);
      return driver.followLogs(record.name, { tailLines, signal });
    },

    /** Every 60 s: deployments of clusters that do not answer are `unknown`, all at once. */
    async markNotReadyClusters(): Promise<number> {
      const notReady = (await deps.clusters.list(500, 0)).items.filter((cluster) => cluster.readiness.state === 'notReady').map((cluster) => cluster.id);
      return repo.markUnknownOnClusters(notReady, 'The cluster is not ready; status unknown until it answers again.');
    },
  };
}

export type DeploymentObservation = ReturnType<typeof createDeploymentObservation>;
