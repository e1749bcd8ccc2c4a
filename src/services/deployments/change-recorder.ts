import { randomUUID } from 'node:crypto';
import type { ChangeCause, DeploymentConfig } from '../../domain/rollout.js';
import type { WorkloadStrategy } from '../../domain/workload.js';
import { ConflictError } from '../../lib/errors.js';
import { hasPgCode, PG_UNIQUE_VIOLATION } from '../../lib/pg-errors.js';
import type { ConfigHistoryRepo } from './config-history-repo.js';
import type { Queryable, RolloutRepo } from './rollout-repo.js';

/** A validated change of a deployment's settings, about to be saved. */
export interface RecordedChange {
  deploymentId: string;
  cause: ChangeCause;
  actorId: string | null;
  before: DeploymentConfig;
  after: DeploymentConfig;
  /** Set when the change restarts replicas: it starts a rollout. */
  restart: { strategyBefore: WorkloadStrategy; strategy: WorkloadStrategy; specHashBefore: string | null; specHashAfter: string } | null;
  /** On a rollback: the rollout whose change it undoes. */
  rollbackOf: string | null;
}

/** What the deployment intent tells about changes (a hook, so the intent stays about deployments). */
export interface ChangeRecorder {
  recordCreated(deploymentId: string, actorId: string | null, config: DeploymentConfig): Promise<void>;
  /**
   * Records a change and saves it: its history entry and, when it restarts replicas, its rollout,
   * superseding the one in progress, then `save(tx)` (the deployment's row), in one transaction:
   * a failing save leaves no history entry and no rollout. 409 ROLLOUT_IN_PROGRESS when the
   * change is a rollback and a rollback is already under way (checked under a lock of the
   * deployment's row, so two instances on one database agree).
   */
  recordChange(change: RecordedChange, save: (tx: Queryable) => Promise<void>): Promise<{ rolloutId: string | null }>;
}

const rollbackInProgress = () =>
  new ConflictError('ROLLOUT_IN_PROGRESS', 'A rollback of this deployment is already in progress; wait for it to finish (GET /api/deployments/:id/rollout).');

export function createChangeRecorder(deps: { rollouts: RolloutRepo; history: ConfigHistoryRepo }): ChangeRecorder {
  const { rollouts, history } = deps;
  return {
    async recordCreated(deploymentId, actorId, config) {
      await history.insert({ id: randomUUID(), deploymentId, cause: 'manual', actorId, before: null, after: config });
    },

    async recordChange(change, save) {
      try {
        return await rollouts.db.transaction(async (tx) => {
          await rollouts.lockDeployment(change.deploymentId, tx);
          const current = await rollouts.progressingOf(change.deploymentId, tx);
          if (change.cause === 'rollback' && current?.cause === 'rollback') throw rollbackInProgress();
          if (current && current.id !== change.rollbackOf) await rollouts.finish(current.id, 'superseded', { message: 'A later change replaced it before it finished.' }, tx);
          if (change.rollbackOf) {
            await rollouts.markRolledBack(change.rollbackOf, tx);
            await history.setResultOfRollout(change.rollbackOf, 'rolled_back', tx);
          }
          const rolloutId = change.restart ? randomUUID() : null;
          if (change.restart && rolloutId) {
            await rollouts.insert(
              {
                id: rolloutId,
                deploymentId: change.deploymentId,
                cause: change.cause,
                strategy: change.restart.strategy,
                previousConfig: { ...change.before, strategy: change.restart.strategyBefore },
                previousSpecHash: change.restart.specHashBefore,
                targetConfig: { ...change.after, strategy: change.restart.strategy },
                targetSpecHash: change.restart.specHashAfter,
                rollbackOf: change.rollbackOf,
                actorId: change.actorId,
              },
              tx,
            );
          }
          await history.insert({ id: randomUUID(), deploymentId: change.deploymentId, rolloutId, cause: change.cause, actorId: change.actorId, before: change.before, after: change.after }, tx);
          await save(tx);
          return { rolloutId };
        });
      } catch (error) {
        // The partial unique index: another rollout started between our read and insert.
        if (hasPgCode(error, PG_UNIQUE_VIOLATION)) throw rollbackInProgress();
        throw error;
      }
    },
  };
}
