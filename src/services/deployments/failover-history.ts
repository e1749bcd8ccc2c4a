import { randomUUID } from 'node:crypto';
import type { Optimization } from '../../domain/optimization.js';
import type { ConfigHistoryRepo } from './config-history-repo.js';
import type { DeploymentRepo } from './deployment-repo.js';
import type { FailoverMove } from './deployment-failover.js';

/**
 * A failover in the deployment's config history: the same settings, another cluster (cause
 * `failover`, no actor: the failover loop moved it). Rolling back to such an entry restores the
 * settings, not the cluster.
 */
export function createFailoverHistoryRecorder(deps: { repo: Pick<DeploymentRepo, 'find'>; history: Pick<ConfigHistoryRepo, 'insert'> }) {
  return async function recordFailover(move: FailoverMove): Promise<void> {
    const record = await deps.repo.find(move.deploymentId);
    if (!record) return;
    const settings = { replicas: record.replicas, resourceProfileId: record.resourceProfileId, optimization: record.optimization as Optimization };
    await deps.history.insert({
      id: randomUUID(),
      deploymentId: move.deploymentId,
      cause: 'failover',
      actorId: null,
      before: { ...settings, cluster: move.fromCluster },
      after: { ...settings, cluster: move.toCluster },
      createdAt: move.at,
    });
  };
}
