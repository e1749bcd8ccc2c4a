import type { Deployment } from '../../domain/deployment.js';
import { diffConfig, type DryRunAnswer } from '../../domain/deployment-plan.js';
import { checkAction } from '../../domain/deployment-status.js';
import type { Page } from '../../domain/pagination.js';
import type { Role } from '../../domain/roles.js';
import { settingsOf, type ConfigHistoryDetail, type ConfigHistoryEntry, type DeploymentConfig, type Rollout, type RolloutProgress, type RolloutWithProgress } from '../../domain/rollout.js';
import type { WorkloadStatus } from '../../domain/workload.js';
import { AppError, ConflictError, NotFoundError } from '../../lib/errors.js';
import type { ConfigHistoryRecord } from './config-history-repo.js';
import type { DeploymentRecord } from './deployment-repo.js';
import { liveWorkloadStatus, type RolloutServiceDeps } from './rollout-deps.js';
import type { RolloutRow } from './rollout-repo.js';

export function toRollout(row: RolloutRow): Rollout {
  return {
    id: row.id,
    deploymentId: row.deploymentId,
    cause: row.cause,
    state: row.state,
    strategy: row.strategy,
    previousConfig: row.previousConfig,
    previousSpecHash: row.previousSpecHash,
    targetConfig: row.targetConfig,
    targetSpecHash: row.targetSpecHash,
    rollbackOf: row.rollbackOf,
    reason: row.reason,
    message: row.message,
    actorId: row.actorId,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
  };
}

function toEntry(row: ConfigHistoryRecord): ConfigHistoryEntry {
  return {
    id: row.id,
    deploymentId: row.deploymentId,
    rolloutId: row.rolloutId,
    cause: row.cause,
    actorId: row.actorId,
    actorUsername: row.actorUsername,
    before: row.before,
    after: row.after,
    result: row.result,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Desired / updated / ready / old replicas of the spec the cluster is bringing about. */
export function progressOf(status: WorkloadStatus): RolloutProgress {
  const live = status.replicaStatuses.filter((replica) => replica.state !== 'stopped');
  return {
    desired: status.replicas.desired,
    updated: status.replicas.updated,
    ready: status.replicas.ready,
    old: live.filter((replica) => replica.specHash !== status.specHash).length,
    reason: status.reason,
  };
}

/** The rollout and config-history API: reads, and rollbacks through the same path as PATCH. */
export function createRolloutService(deps: RolloutServiceDeps) {
  const { rollouts, history, records } = deps;

  async function requireDeployment(id: string): Promise<DeploymentRecord> {
    const record = await records.find(id);
    if (!record) throw new NotFoundError('deployment', id);
    return record;
  }

  /** 409 DEPLOYMENT_PAUSED (and the other states that allow no rollback), before anything else is read. */
  function assertMayRollBack(record: DeploymentRecord): void {
    const check = checkAction(record.status, 'rollback');
    if (!check.allowed) throw new AppError(check.code, check.message, { statusCode: 409 });
  }

  function assertChanges(record: DeploymentRecord, target: DeploymentConfig, what: string): void {
    const current = { replicas: record.replicas, resourceProfileId: record.resourceProfileId, optimization: record.optimization };
    if (diffConfig(current, settingsOf(target)).length === 0) throw new ConflictError('NOTHING_TO_ROLL_BACK', `${record.name} already has the settings of ${what}.`);
  }

  return {
    /** The progressing rollout, else the last one, with live progress (null when the cluster does not answer here). */
    async current(deploymentId: string): Promise<RolloutWithProgress> {
      const record = await requireDeployment(deploymentId);
      const row = await rollouts.latest(deploymentId);
      if (!row) throw new AppError('ROLLOUT_NOT_FOUND', `${record.name} has had no rollout yet: only changes that restart replicas start one.`, { statusCode: 404 });
      const status = await liveWorkloadStatus(deps, record);
      return { ...toRollout(row), progress: status ? progressOf(status) : null };
    },

    async list(deploymentId: string, page: { limit: number; offset: number }): Promise<Page<Rollout>> {
      await requireDeployment(deploymentId);
      const { rows, total } = await rollouts.list(deploymentId, page.limit, page.offset);
      return { items: rows.map(toRollout), total, ...page };
    },

    /** Back to the settings before the current (or last) rollout. */
    async rollback(deploymentId: string, actor: { userId: string | null; role: Role }): Promise<Deployment> {
      const record = await requireDeployment(deploymentId);
      assertMayRollBack(record);
      const last = await rollouts.latest(deploymentId);
      if (!last) throw new ConflictError('NOTHING_TO_ROLL_BACK', `${record.name} has had no rollout yet: there is no earlier spec to go back to.`);
      if (last.state === 'progressing' && last.cause === 'rollback') {
        throw new ConflictError('ROLLOUT_IN_PROGRESS', 'A rollback of this deployment is already in progress; wait for it to finish.');
      }
      assertChanges(record, last.previousConfig, `the rollout it would go back to`);
      const answer = await deps.deployments.update(deploymentId, settingsOf(last.previousConfig), {
        dryRun: false,
        role: actor.role,
        change: { cause: 'rollback', actorId: actor.userId, rollbackOf: last.id, restorePresetId: last.previousConfig.optimizationPresetId },
      });
      return answer as Deployment;
    },

    async history(deploymentId: string, page: { limit: number; offset: number }): Promise<Page<ConfigHistoryEntry>> {
      await requireDeployment(deploymentId);
      const { rows, total } = await history.list(deploymentId, page.limit, page.offset);
      return { items: rows.map(toEntry), total, ...page };
    },

    async historyEntry(deploymentId: string, historyId: string): Promise<ConfigHistoryDetail> {
      await requireDeployment(deploymentId);
      const row = await history.find(deploymentId, historyId);
      if (!row) throw new NotFoundError('config history entry', historyId);
      return { ...toEntry(row), diff: diffConfig(row.before ?? {}, row.after) };
    },

    /** Back to the settings a history entry left the deployment with; `dryRun` answers as PATCH's dry run. */
    async rollbackToHistory(deploymentId: string, historyId: string, options: { dryRun: boolean; userId: string | null; role: Role }): Promise<Deployment | DryRunAnswer> {
      const record = await requireDeployment(deploymentId);
      const row = await history.find(deploymentId, historyId);
      if (!row) throw new NotFoundError('config history entry', historyId);
      assertMayRollBack(record);
      if (!options.dryRun) assertChanges(record, row.after, `history entry ${historyId}`);
      return deps.deployments.update(deploymentId, settingsOf(row.after), {
        dryRun: options.dryRun,
        role: options.role,
        change: { cause: 'rollback', actorId: options.userId, restorePresetId: row.after.optimizationPresetId },
      });
    },
  };
}

export type RolloutService = ReturnType<typeof createRolloutService>;
