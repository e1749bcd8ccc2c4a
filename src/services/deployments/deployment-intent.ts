import { randomUUID } from 'node:crypto';
import type { ClusterDriver } from '../../clusters/cluster-driver.js';
import { ClusterForbiddenError } from '../../clusters/kubernetes/kube-error.js';
import { ClusterOwnedByOtherHostError, describeOwner } from '../../clusters/local-ownership.js';
import type { Cluster } from '../../domain/cluster.js';
import type { CreateDeploymentInput, Deployment, ResumeDeploymentInput, UpdateDeploymentInput } from '../../domain/deployment.js';
import { gpusPerReplica, planGpuFit, type DryRunAnswer } from '../../domain/deployment-plan.js';
import { checkAction, type DeploymentAction } from '../../domain/deployment-status.js';
import type { Optimization } from '../../domain/optimization.js';
import type { Role } from '../../domain/roles.js';
import { AppError, ConflictError } from '../../lib/errors.js';
import { hasPgCode, PG_UNIQUE_VIOLATION } from '../../lib/pg-errors.js';
import { assertMayWriteRaw } from '../optimization-presets/raw-settings-guard.js';
import { createDeploymentChanges, type ChangeContext } from './deployment-change.js';
import type { DeploymentServiceDeps } from './deployment-deps.js';
import { toDeployment, type DeploymentObservation } from './deployment-observation.js';
import type { DeploymentPlacement } from './deployment-placement.js';
import type { DeploymentRecord } from './deployment-repo.js';
import type { DeploymentSpecs } from './deployment-spec.js';
import { assertRuntimeEnvAllowed } from './runtime-env-guard.js';

/** Told when a deployment's routing changes (paused, resumed, deleted): the gateway reloads its routes. */
export type DeploymentChangeListener = (deploymentId: string) => Promise<void> | void;

function refuse(check: ReturnType<typeof checkAction>, action: DeploymentAction): void {
  if (check.allowed) return;
  // Changing a paused deployment is a bad request (PATCH's documented 400); other refusals, a
  // rollback of a paused deployment included, are conflicts.
  throw new AppError(check.code, check.message, { statusCode: check.code === 'DEPLOYMENT_PAUSED' && action === 'update' ? 400 : 409 });
}

/** The status message of a change this instance only recorded, for the owning instance to carry out. */
function recordedFor(cluster: Cluster, what: string): string {
  return `Recorded; ${describeOwner(cluster)} ${what} at its next reconcile.`;
}

/**
 * What operators ask of deployments: validate, persist, apply on the cluster, announce. Without an
 * acting driver (a local cluster another instance owns) a change is only recorded, for the owner.
 */
export function createDeploymentIntent(
  deps: Pick<DeploymentServiceDeps, 'repo' | 'models' | 'clusters' | 'drivers' | 'secrets' | 'logger' | 'changes'>,
  parts: { observation: DeploymentObservation; placement: DeploymentPlacement; specs: DeploymentSpecs },
) {
  const { repo, drivers, logger } = deps;

  /**
   * Tells the cluster about a change already saved. A cluster that fails (a conflict, a timeout,
   * an answer it should not give) does not lose the change: the status says so and the reconciler
   * applies the saved state on its next pass. H-MAS's own refusals (AppError) still answer.
   */
  async function tellCluster(record: DeploymentRecord, what: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (error instanceof AppError) throw error;
      logger.error({ err: error, deployment: record.name }, `${what} on the cluster failed`);
      const reason = error instanceof Error ? error.message : String(error);
      await repo.update(record.id, { statusMessage: `Saved; ${what} on the cluster failed for now (${reason}). The reconciler tries again.` });
    }
  }
  const { observation, placement, specs } = parts;
  const changes = createDeploymentChanges(deps, { placement, specs });
  const listeners = new Set<DeploymentChangeListener>();

  /** Waits for the listeners, so an answer that says "paused" means the gateway knows it too. */
  async function announce(deploymentId: string): Promise<void> {
    for (const listener of listeners) {
      try {
        await listener(deploymentId);
      } catch (error) {
        // The change is committed; a failing listener must not turn it into an error answer.
        logger.warn({ err: error, deploymentId }, 'a deployment change listener failed');
      }
    }
  }

  /** `driver` is null where another instance owns the cluster: the change is only recorded, for its reconciler. */
  async function act(id: string, action: DeploymentAction): Promise<{ record: DeploymentRecord; driver: ClusterDriver | null; cluster: Cluster }> {
    const record = await observation.requireRecord(id);
    refuse(checkAction(record.status, action), action);
    const cluster = await deps.clusters.get(record.clusterName);
    return { record, driver: await drivers.actingDriver(cluster), cluster };
  }

  /** A first apply the cluster refused: the record goes, and what the cluster did accept (a Service, a Secret) with it when it may. */
  async function forgetRefused(id: string, name: string, driver: ClusterDriver | null): Promise<void> {
    await repo.remove(id);
    try {
      await driver?.remove(name);
    } catch (error) {
      logger.warn({ err: error, deployment: name }, 'removing what a refused first apply left on the cluster failed');
    }
  }

  const saved = async (id: string) => toDeployment((await repo.find(id))!, 'cached');

  return {
    /** Subscribes to routing changes (pause, resume, delete, a failover move); returns the unsubscribe function. */
    onChange(listener: DeploymentChangeListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /** A routing change made elsewhere (the failover loop moved the deployment), told to the listeners. */
    announce,

    /** `access.role`: raw settings beyond a preset's are admin-only (403 RAW_SETTINGS_ADMIN_ONLY). */
    async create(input: CreateDeploymentInput, actorId: string | null, access: { role: Role }): Promise<Deployment> {
      const model = await deps.models.get(input.modelId);
      const profile = await placement.resourceProfile(input.resourceProfileId);
      const cluster = input.cluster ? await deps.clusters.get(input.cluster) : await placement.pickCluster(input.placementStrategyId!, model, input.runtime, input.replicas, profile);
      const driver = await drivers.actingDriver(cluster);
      // Settings are refused before anything starts (a model download, for one).
      const { optimization, presetRaw } = await specs.optimizationFor(input.runtime, input.optimizationPresetId, input.optimization);
      assertMayWriteRaw(access.role, presetRaw, optimization.raw);
      assertRuntimeEnvAllowed(drivers.runsOnHost(cluster), input.runtime, optimization);
      // A file downloaded here would be on the wrong host: the owner has to fetch it.
      if (!driver && specs.modelPathFor(model, input.runtime)) throw new ClusterOwnedByOtherHostError(cluster, `deploy ${model.name} with ${input.runtime}`);
      await specs.checkModelFile(model, input.runtime);
      const perReplica = gpusPerReplica(input.runtime, profile, model);
      placement.checkGpuMemory(model, perReplica, cluster);
      const fit = planGpuFit(perReplica, input.replicas, await placement.capacity(cluster));
      if (!fit.fits) throw new ConflictError('INSUFFICIENT_GPU', fit.message, { fit });

      await deps.secrets?.checkSettings(optimization.raw?.extraEnv);
      const id = randomUUID();
      const { spec } = specs.render({ id, name: input.name, replicas: input.replicas, runtime: input.runtime, strategy: 'RollingUpdate' }, model, profile, optimization);
      try {
        await repo.insert({
          id,
          name: input.name,
          modelId: model.id,
          clusterId: cluster.id,
          placementStrategyId: input.placementStrategyId ?? null,
          resourceProfileId: input.resourceProfileId ?? null,
          runtime: input.runtime,
          replicas: input.replicas,
          optimization: optimization as Record<string, unknown>,
          optimizationPresetId: input.optimizationPresetId ?? null,
          specHash: spec.specHash,
          status: 'pending',
          createdBy: actorId,
        });
      } catch (error) {
        if (hasPgCode(error, PG_UNIQUE_VIOLATION)) throw new ConflictError('DEPLOYMENT_EXISTS', `A deployment named "${input.name}" already exists.`);
        throw error;
      }
      try {
        if (driver) await driver.apply(spec);
        await repo.update(id, { status: 'deploying', statusMessage: driver ? `Starting ${input.replicas} replica(s) on ${cluster.name}.` : recordedFor(cluster, `starts ${input.replicas} replica(s)`) });
      } catch (error) {
        // The cluster refuses the credentials this needs: retrying cannot help until someone grants
        // them, so the deployment is not kept and the answer names the permission (403 CLUSTER_FORBIDDEN).
        if (error instanceof ClusterForbiddenError) {
          await forgetRefused(id, spec.name, driver);
          throw error;
        }
        // Accepted and kept: the reconciler tries again; the status says what went wrong.
        logger.error({ err: error, deployment: input.name }, 'applying the workload failed');
        await repo.update(id, { status: 'failed', statusReason: 'ApplyFailed', statusMessage: error instanceof Error ? error.message : String(error) });
      }
      await deps.changes?.recordCreated(id, actorId, { replicas: input.replicas, resourceProfileId: input.resourceProfileId ?? null, optimization, optimizationPresetId: input.optimizationPresetId ?? null });
      return saved(id);
    },

    /**
     * `options.role`: raw settings may change only by an admin (403 RAW_SETTINGS_ADMIN_ONLY), dry
     * runs included. A change of `optimizationPresetId` is recorded with cause `preset`.
     */
    async update(id: string, input: UpdateDeploymentInput, options: { dryRun: boolean; role: Role; change?: ChangeContext }): Promise<Deployment | DryRunAnswer> {
      const change = options.change ?? { cause: 'manual', actorId: null };
      const { record, driver, cluster } = await act(id, change.cause === 'rollback' ? 'rollback' : 'update');
      const planned = await changes.plan(record, cluster, input, { role: options.role, change });
      const { plan, diff, after } = planned;
      if (options.dryRun) {
        return { dryRun: true, restartRequired: plan.restartRequired, strategy: plan.strategy, reason: plan.reason, impact: plan.impact, fit: plan.fit, diff, warnings: planned.warnings };
      }
      changes.assertFits(planned, cluster);
      if (diff.length === 0) return toDeployment(record, 'cached');

      // Saved before the cluster is told, so a reconcile pass in between applies this change
      // rather than undoing it. Without a driver here the owner's reconciler applies it.
      const rolled = await changes.save(record, planned, change, (restart) => ({
        status: restart || after.replicas > record.readyReplicas ? 'deploying' : record.status,
        // A new spec ends what the last one's status said (a failed rollback's hold included).
        ...(restart ? { statusReason: null } : {}),
        ...(driver ? {} : { statusMessage: recordedFor(cluster, 'applies the change') }),
      }));
      if (driver && rolled) await tellCluster(record, 'applying the change', () => driver.apply(rolled));
      else if (driver) await tellCluster(record, 'scaling', () => driver.scale(record.name, after.replicas));
      return observation.withLiveStatus((await repo.find(record.id))!, observation.timeouts.singleMs, cluster);
    },

    async pause(id: string): Promise<Deployment> {
      // Saved and announced before the replicas stop, so the gateway answers 503 instead of
      // sending requests to replicas on their way out. Should scaling fail, the reconciler scales
      // a paused deployment to 0.
      const { record, driver, cluster } = await act(id, 'pause');
      const statusMessage = driver ? 'Scaled to 0; resume brings the replicas back.' : recordedFor(cluster, 'stops the replicas');
      await repo.update(record.id, { paused: true, status: 'paused', readyReplicas: 0, endpoints: [], statusReason: null, statusMessage });
      await announce(record.id);
      if (driver) await tellCluster(record, 'scaling to 0', () => driver.scale(record.name, 0));
      return saved(record.id);
    },

    /**
     * Starts a paused deployment's replicas again; with `input`, with new settings (checked and
     * recorded as PATCH's, GPU fit included). Settings that change nothing make a plain resume.
     */
    async resume(id: string, withSettings?: { settings: ResumeDeploymentInput; role: Role; actorId: string | null }): Promise<Deployment> {
      const { record, driver, cluster } = await act(id, 'resume');
      const change: ChangeContext = { cause: 'manual', actorId: withSettings?.actorId ?? null };
      const asked = withSettings && Object.keys(withSettings.settings).length > 0 ? withSettings : null;
      const planned = asked ? await changes.plan(record, cluster, asked.settings, { role: asked.role, change }) : null;
      if (planned && planned.diff.length > 0) {
        changes.assertFits(planned, cluster);
        const { replicas } = planned.after;
        const statusMessage = driver ? `Starting ${replicas} replica(s) with the new settings.` : recordedFor(cluster, `starts ${replicas} replica(s) with the new settings`);
        const rolled = await changes.save(record, planned, change, () => ({ paused: false, status: 'deploying', statusReason: null, statusMessage }));
        await announce(record.id);
        const existing = driver && !rolled ? await driver.status(record.name) : null;
        if (driver && existing) await tellCluster(record, 'scaling', () => driver.scale(record.name, replicas));
        else if (driver) await tellCluster(record, 'starting the replicas', () => driver.apply(rolled ?? specs.render({ ...record, replicas, strategy: record.strategy }, planned.model, planned.profileAfter, planned.after.optimization).spec));
        return saved(record.id);
      }
      const existing = driver ? await driver.status(record.name) : null;
      if (driver && existing) {
        await driver.scale(record.name, record.replicas);
      } else if (driver) {
        const model = await deps.models.get(record.modelId);
        await driver.apply(specs.render({ ...record, strategy: record.strategy }, model, await placement.resourceProfile(record.resourceProfileId), record.optimization as Optimization).spec);
      }
      const statusMessage = driver ? `Starting ${record.replicas} replica(s).` : recordedFor(cluster, `starts ${record.replicas} replica(s)`);
      await repo.update(record.id, { paused: false, status: 'deploying', statusReason: null, statusMessage });
      await announce(record.id);
      return saved(record.id);
    },

    async remove(id: string): Promise<Deployment> {
      const { record, driver, cluster } = await act(id, 'delete');
      await repo.update(record.id, { deleting: true, status: 'deleting', ...(driver ? {} : { statusMessage: recordedFor(cluster, 'stops the replicas and removes the deployment') }) });
      await announce(record.id);
      // The owner's reconciler finishes a delete it did not start (as after a crash mid-delete).
      if (!driver) return toDeployment({ ...record, status: 'deleting' }, 'cached');
      await driver.remove(record.name);
      await repo.remove(record.id);
      await announce(record.id);
      return toDeployment({ ...record, status: 'deleting' }, 'cached');
    },
  };
}
