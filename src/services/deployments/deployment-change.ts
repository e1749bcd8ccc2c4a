import type { Cluster } from '../../domain/cluster.js';
import type { ResumeDeploymentInput } from '../../domain/deployment.js';
import { diffConfig, gpusPerReplica, planUpdate, type ConfigChange, type UpdatePlan } from '../../domain/deployment-plan.js';
import type { Model } from '../../domain/model.js';
import { normalizeOptimization, type Optimization, type OptimizationIssue } from '../../domain/optimization.js';
import { rawSettingsDiffer } from '../../domain/raw-settings-policy.js';
import type { Role } from '../../domain/roles.js';
import type { ChangeCause, DeploymentConfig } from '../../domain/rollout.js';
import type { WorkloadSpec } from '../../domain/workload.js';
import { ConflictError } from '../../lib/errors.js';
import { assertMayWriteRaw } from '../optimization-presets/raw-settings-guard.js';
import type { DeploymentServiceDeps } from './deployment-deps.js';
import type { DeploymentPlacement } from './deployment-placement.js';
import type { DeploymentRecord, NewDeploymentRow } from './deployment-repo.js';
import type { DeploymentSpecs } from './deployment-spec.js';
import type { ResourceProfileSpec } from './policy-reader.js';
import { assertRuntimeEnvAllowed } from './runtime-env-guard.js';

/** Why a change is made and by whom, for its config history and rollout. */
export interface ChangeContext {
  /** `manual` becomes `preset` when the change switches the deployment's preset. */
  cause: ChangeCause;
  actorId: string | null;
  /** On a rollback: the rollout whose change it undoes. */
  rollbackOf?: string | null;
  /**
   * On a rollback: the preset the restored settings came with, stored as it is (the settings are
   * the snapshot's, not the preset's again). Undefined keeps the deployment's.
   */
  restorePresetId?: string | null;
}

/** A validated change of a deployment, before it is saved: what it changes and what that does to the replicas. */
export interface PlannedChange {
  cause: ChangeCause;
  model: Model;
  profileAfter: ResourceProfileSpec | null;
  before: DeploymentConfig;
  after: DeploymentConfig & { optimization: Optimization; optimizationPresetId: string | null };
  diff: ConfigChange[];
  plan: UpdatePlan;
  gpusPerReplica: number;
  warnings: OptimizationIssue[];
}

/** The settings of a deployment as its config history records them. */
export function configOf(record: DeploymentRecord): DeploymentConfig {
  return { replicas: record.replicas, resourceProfileId: record.resourceProfileId, optimization: record.optimization as Optimization, optimizationPresetId: record.optimizationPresetId };
}

/**
 * Changes of a deployment's settings (PATCH, resume with new settings, rollbacks): the settings
 * after the change — a preset switched to is resolved as at create, with `optimization` on top —
 * checked by the same rules as at create, then saved with their config history and rollout in
 * one transaction.
 */
export function createDeploymentChanges(
  deps: Pick<DeploymentServiceDeps, 'repo' | 'models' | 'drivers' | 'secrets' | 'changes'>,
  parts: { placement: DeploymentPlacement; specs: DeploymentSpecs },
) {
  const { placement, specs } = parts;

  /** The settings after the change, and the raw settings an operator may take over unchanged. */
  async function settingsAfter(record: DeploymentRecord, input: ResumeDeploymentInput, change: ChangeContext) {
    const before = record.optimization as Optimization;
    if (input.optimizationPresetId) {
      const resolved = await specs.optimizationFor(record.runtime, input.optimizationPresetId, input.optimization);
      return { optimization: resolved.optimization, presetId: input.optimizationPresetId, presetRaw: resolved.presetRaw };
    }
    const presetId = input.optimizationPresetId === null ? null : change.restorePresetId !== undefined ? change.restorePresetId : record.optimizationPresetId;
    // Dropping the preset (null) keeps the settings unless new ones are given.
    return { optimization: input.optimization === undefined ? before : normalizeOptimization(input.optimization), presetId, presetRaw: undefined };
  }

  return {
    /** Validates a change (raw-settings rule, runtime environment, secrets) and plans it; saves nothing. */
    async plan(record: DeploymentRecord, cluster: Cluster, input: ResumeDeploymentInput, options: { role: Role; change: ChangeContext }): Promise<PlannedChange> {
      const model = await deps.models.get(record.modelId);
      const profileIdAfter = input.resourceProfileId === undefined ? record.resourceProfileId : input.resourceProfileId;
      const [profileBefore, profileAfter] = await Promise.all([placement.resourceProfile(record.resourceProfileId), placement.resourceProfile(profileIdAfter)]);
      const replicasAfter = input.replicas ?? record.replicas;
      const before = configOf(record);
      const { optimization, presetId, presetRaw } = await settingsAfter(record, input, options.change);
      // An operator may keep the deployment's raw settings, or take those of the preset switched to (an admin vetted them).
      const rawBaseline = input.optimizationPresetId && !rawSettingsDiffer(presetRaw, optimization.raw) ? presetRaw : before.optimization.raw;
      assertMayWriteRaw(options.role, rawBaseline, optimization.raw);
      assertRuntimeEnvAllowed(deps.drivers.runsOnHost(cluster), record.runtime, optimization);
      if (input.optimization !== undefined || input.optimizationPresetId) await deps.secrets?.checkSettings(optimization.raw?.extraEnv);

      const specBefore = specs.render({ ...record, strategy: record.strategy }, model, profileBefore, before.optimization);
      const specAfter = specs.render({ ...record, replicas: replicasAfter, strategy: record.strategy }, model, profileAfter, optimization);
      const perReplica = gpusPerReplica(record.runtime, profileAfter, model);
      const plan = planUpdate({
        specHashBefore: specBefore.spec.specHash,
        specHashAfter: specAfter.spec.specHash,
        replicasBefore: record.replicas,
        replicasAfter,
        gpusPerReplicaAfter: perReplica,
        capacityWithOwn: await placement.capacity(cluster, record.id),
      });
      const after = { replicas: replicasAfter, resourceProfileId: profileIdAfter, optimization, optimizationPresetId: presetId };
      const cause = options.change.cause === 'manual' && presetId !== record.optimizationPresetId ? 'preset' : options.change.cause;
      return { cause, model, profileAfter, before, after, diff: diffConfig(before, after), plan, gpusPerReplica: perReplica, warnings: specAfter.warnings };
    },

    /** 409 INSUFFICIENT_GPU when the change does not fit the cluster. */
    assertFits(planned: PlannedChange, cluster: Cluster): void {
      placement.checkGpuMemory(planned.model, planned.gpusPerReplica, cluster);
      if (!planned.plan.fit.fits) throw new ConflictError('INSUFFICIENT_GPU', planned.plan.fit.message, { fit: planned.plan.fit });
    },

    /**
     * Saves a planned change: its config history entry, its rollout when it restarts replicas, and
     * the deployment's row (with `row`'s fields too), all in one transaction. Answers the spec to
     * apply when replicas restart.
     */
    async save(record: DeploymentRecord, planned: PlannedChange, change: ChangeContext, row: (restart: boolean) => Partial<NewDeploymentRow>): Promise<WorkloadSpec | undefined> {
      const { plan, after } = planned;
      const strategy = plan.restartRequired ? plan.strategy : record.strategy;
      const rolled = plan.restartRequired ? specs.render({ ...record, replicas: after.replicas, strategy }, planned.model, planned.profileAfter, after.optimization).spec : undefined;
      const patch: Partial<NewDeploymentRow> = {
        replicas: after.replicas,
        resourceProfileId: after.resourceProfileId,
        optimization: after.optimization as Record<string, unknown>,
        optimizationPresetId: after.optimizationPresetId,
        specHash: rolled?.specHash ?? record.specHash,
        strategy,
        ...row(plan.restartRequired),
      };
      const restart = rolled ? { strategyBefore: record.strategy, strategy, specHashBefore: record.specHash, specHashAfter: rolled.specHash } : null;
      const recorded = { deploymentId: record.id, cause: planned.cause, actorId: change.actorId, rollbackOf: change.rollbackOf ?? null, before: planned.before, after, restart };
      if (deps.changes) await deps.changes.recordChange(recorded, (tx) => deps.repo.update(record.id, patch, { tx }));
      else await deps.repo.update(record.id, patch);
      return rolled;
    },
  };
}

export type DeploymentChanges = ReturnType<typeof createDeploymentChanges>;
