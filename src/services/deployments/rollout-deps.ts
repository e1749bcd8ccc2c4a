import type { ClusterRegistry } from '../../clusters/cluster-registry.js';
import type { Cluster } from '../../domain/cluster.js';
import type { WorkloadStatus } from '../../domain/workload.js';
import type { Logger } from '../../lib/logger.js';
import type { AuditRecord } from '../audit/audit-service.js';
import type { CopiedEvents } from '../deployment-events/deployment-event-service.js';
import type { ConfigHistoryRepo } from './config-history-repo.js';
import type { DeploymentRecord, DeploymentRepo } from './deployment-repo.js';
import type { DeploymentService } from './deployment-service.js';
import { readWithDeadline } from './live-read.js';
import type { RolloutGraceSettings } from './rollout-decision.js';
import type { RolloutRepo } from './rollout-repo.js';

/** What the rollout API and the rollout watch are built from. */
export interface RolloutServiceDeps {
  rollouts: RolloutRepo;
  history: ConfigHistoryRepo;
  /** Changes go through the same path as PATCH. */
  deployments: Pick<DeploymentService, 'update'>;
  records: Pick<DeploymentRepo, 'find' | 'update'>;
  clusters: { get(name: string): Promise<Cluster> };
  drivers: Pick<ClusterRegistry, 'actingDriver'>;
  audit: { record(entry: AuditRecord): Promise<void> };
  /** The deployment's events history: an automatic rollback is a Warning there too. */
  events?: { record(copied: CopiedEvents): Promise<unknown> };
  grace: RolloutGraceSettings;
  logger: Logger;
  /** Deadline of one live read of a workload (5 s). */
  readTimeoutMs?: number;
}

/**
 * The workload's status as its cluster reports it now; `undefined` when this instance does not
 * act on the cluster (another instance owns it) or the cluster does not answer in time.
 */
export async function liveWorkloadStatus(
  deps: Pick<RolloutServiceDeps, 'clusters' | 'drivers' | 'logger' | 'readTimeoutMs'>,
  record: DeploymentRecord,
): Promise<WorkloadStatus | null | undefined> {
  try {
    const driver = await deps.drivers.actingDriver(await deps.clusters.get(record.clusterName));
    if (!driver) return undefined;
    return await readWithDeadline(deps.readTimeoutMs ?? 5_000, (signal) => driver.status(record.name, { signal }));
  } catch (error) {
    deps.logger.warn({ err: error, deployment: record.name }, 'could not read the workload status for its rollout');
    return undefined;
  }
}
