import { ROLLBACK_FAILED, settingsOf } from '../../domain/rollout.js';
import { AppError } from '../../lib/errors.js';
import type { DeploymentRecord } from './deployment-repo.js';
import { liveWorkloadStatus, type RolloutServiceDeps } from './rollout-deps.js';
import { decide, rolloutGraceMs } from './rollout-decision.js';
import type { RolloutRow } from './rollout-repo.js';

/** Who the audit log names for what the rollout monitor does. */
export const ROLLOUT_MONITOR_ACTOR = 'rollout-monitor';

/**
 * Follows every progressing rollout this instance can read: marks it succeeded once the new
 * replicas are ready; after its startup grace, rolls back a change whose new replicas crash-loop,
 * are OOM-killed or miss their deadline — through the same update path as PATCH — and stops at a
 * rollback that fails itself (the deployment is left `failed` with both reasons).
 */
export function createRolloutWatch(deps: RolloutServiceDeps) {
  const { rollouts, history, records, logger } = deps;

  /** The audit entry, and a Warning in the deployment's events history (RolledBack / RollbackFailed). */
  async function audit(record: DeploymentRecord, outcome: 'success' | 'failure', summary: string): Promise<void> {
    const at = new Date().toISOString();
    await deps.events?.record({
      cluster: { id: record.clusterId, name: record.clusterName },
      events: [
        {
          deployment: { id: record.id, name: record.name },
          event: { type: 'Warning', reason: outcome === 'success' ? 'RolledBack' : 'RollbackFailed', message: summary, count: 1, firstTimestamp: at, lastTimestamp: at, involvedObject: { kind: 'Workload', name: record.name } },
        },
      ],
    });
    await deps.audit.record({
      actorId: null,
      actorUsername: ROLLOUT_MONITOR_ACTOR,
      action: 'deployment.rollback',
      resourceType: 'deployment',
      resourceId: record.id,
      outcome,
      statusCode: outcome === 'success' ? 200 : 500,
      clientIp: null,
      requestId: null,
      summary,
    });
  }

  async function rollBack(rollout: RolloutRow, record: DeploymentRecord, failure: { reason: string; message: string }): Promise<void> {
    await rollouts.note(rollout.id, failure.reason, failure.message);
    try {
      await deps.deployments.update(record.id, settingsOf(rollout.previousConfig), { dryRun: false, role: 'admin', change: { cause: 'rollback', actorId: null, rollbackOf: rollout.id, restorePresetId: rollout.previousConfig.optimizationPresetId } });
    } catch (error) {
      // Another instance started the same rollback first: nothing left to do here.
      if (error instanceof AppError && error.code === 'ROLLOUT_IN_PROGRESS') return;
      const why = error instanceof Error ? error.message : String(error);
      const message = `${failure.reason} (${failure.message}); the automatic rollback could not start: ${why}`;
      if (!(await rollouts.finish(rollout.id, 'failed', { reason: failure.reason, message }))) return;
      await history.setResultOfRollout(rollout.id, 'failed');
      await records.update(record.id, { status: 'failed', statusReason: ROLLBACK_FAILED, statusMessage: `The change failed: ${message}` });
      logger.error({ err: error, deployment: record.name, rollout: rollout.id }, 'automatic rollback could not start');
      await audit(record, 'failure', `automatic rollback of ${record.name} could not start after ${message}`);
      return;
    }
    logger.warn({ deployment: record.name, rollout: rollout.id, reason: failure.reason }, 'rolled back a failing change automatically');
    await audit(record, 'success', `rolled back ${record.name} automatically: the new replicas failed with ${failure.reason} (${failure.message}); back to the settings before rollout ${rollout.id}`);
  }

  async function failRollback(rollout: RolloutRow, record: DeploymentRecord, failure: { reason: string; message: string }): Promise<void> {
    const undone = rollout.rollbackOf ? await rollouts.find(rollout.rollbackOf) : undefined;
    const first = undone?.reason ? `; the change it undid had failed with ${undone.reason} (${undone.message})` : '';
    const message = `The rollback failed too: ${failure.reason} (${failure.message})${first}. Nothing more is rolled back automatically.`;
    if (!(await rollouts.finish(rollout.id, 'failed', { reason: failure.reason, message }))) return;
    await history.setResultOfRollout(rollout.id, 'failed');
    await records.update(record.id, { status: 'failed', statusReason: ROLLBACK_FAILED, statusMessage: message });
    logger.error({ deployment: record.name, rollout: rollout.id }, message);
    await audit(record, 'failure', `${record.name}: ${message}`);
  }

  async function follow(rollout: RolloutRow, now: Date): Promise<void> {
    const record = await records.find(rollout.deploymentId);
    if (!record || record.deleting || record.paused) return;
    const status = await liveWorkloadStatus(deps, record);
    // Another instance acts on the cluster, or it did not answer: follow it next time.
    if (status === undefined) return;
    const grace = rolloutGraceMs(deps.grace, rollout.strategy, record.runtime);
    const decision = decide(rollout, { specHash: record.specHash ?? rollout.targetSpecHash, replicas: record.replicas }, status, now, grace);
    switch (decision.action) {
      case 'wait':
        return;
      case 'succeed':
        await rollouts.finish(rollout.id, 'succeeded', { message: `${record.replicas} replica(s) of the new spec ready.` });
        return;
      case 'rollback':
        return rollBack(rollout, record, decision);
      case 'fail':
        return failRollback(rollout, record, decision);
    }
  }

  return {
    /** One pass over the progressing rollouts; `now` is the monitor's clock (tests move it past the grace). */
    async check(now: Date, signal?: AbortSignal): Promise<void> {
      for (const rollout of await rollouts.allProgressing()) {
        if (signal?.aborted) return;
        try {
          await follow(rollout, now);
        } catch (error) {
          logger.warn({ err: error, rollout: rollout.id }, 'could not follow a rollout');
        }
      }
    },
  };
}

export type RolloutWatch = ReturnType<typeof createRolloutWatch>;
