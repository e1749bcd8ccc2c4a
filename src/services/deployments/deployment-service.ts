import { randomUUID } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import type { ClusterDriver } from '../../clusters/cluster-driver.js';
import type { Cluster } from '../../domain/cluster.js';
import type { CreateDeploymentInput, Deployment, DeploymentListQuery, UpdateDeploymentInput } from '../../domain/deployment.js';
import { diffConfig, gpusPerReplica, planGpuFit, planUpdate, type DryRunAnswer, type GpuCapacity, type UpdatePlan } from '../../domain/deployment-plan.js';
import { checkAction, deriveStatus, statusAfterFailedObservation, type DeploymentAction, type DeploymentStatus, type StatusSource } from '../../domain/deployment-status.js';
import type { Model } from '../../domain/model.js';
import { describeDownloadProgress, type ModelDownload } from '../../domain/model-download.js';
import { normalizeOptimization, type Optimization, type OptimizationIssue } from '../../domain/optimization.js';
import type { Page } from '../../domain/pagination.js';
import { recommendResources } from '../../domain/resource-fit.js';
import { renderWorkloadSpec, type WorkloadEvent, type ReplicaLogs, type WorkloadSpec, type WorkloadStatus, type WorkloadStrategy } from '../../domain/workload.js';
import { AppError, ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { hasPgCode, PG_UNIQUE_VIOLATION } from '../../lib/pg-errors.js';
import { requireRuntime } from '../../runtimes/index.js';
import type { DeploymentRecord, DeploymentRepo } from './deployment-repo.js';
import type { DriverRegistry } from './driver-registry.js';
import { readWithDeadline } from './live-read.js';
import { ClusterOwnedByOtherHostError, describeOwner } from '../clusters/local-ownership.js';
import type { Role } from '../../domain/roles.js';
import { assertMayWriteRaw } from '../optimization-presets/raw-settings-guard.js';
import { assertRuntimeEnvAllowed } from './runtime-env-guard.js';
import type { SettingsSecretCheck } from '../secrets/settings-secret-check.js';

/** Host runtimes that need the weights as a file (a GGUF) rather than loading a repo themselves. */
const FILE_RUNTIMES = new Set(['embedded-llamacpp', 'llamacpp']);

export interface DeploymentServiceDeps {
  repo: DeploymentRepo;
  models: { get(id: string): Promise<Model> };
  clusters: { get(name: string): Promise<Cluster>; list(limit: number, offset: number): Promise<Page<Cluster>> };
  policies: { get(kind: 'resource_profile' | 'placement_strategy', id: string): Promise<Record<string, unknown> & { id: string; name: string }> };
  presets: { get(id: string): Promise<{ id: string; runtime: string; optimization: Optimization }> };
  drivers: DriverRegistry;
  /**
   * Files of Hugging Face GGUF models, downloaded into the data directory for the runtimes that
   * load a file (llama.cpp). Without it such models are refused (409 MODEL_NOT_DOWNLOADED).
   */
  modelFiles?: {
    /** Where the model's file is (or will be) on this host; null for models that are not a Hub GGUF file. */
    pathFor(model: Model): string | null;
    /** The file when it is there; otherwise starts (or joins) its download and answers the progress. */
    ensure(model: Model): Promise<{ path: string } | { progress: ModelDownload }>;
  };
  /** Refuses plain secret-looking values and references to missing secrets in the settings saved. */
  secrets?: SettingsSecretCheck;
  logger: Logger;
  /** Live-read deadlines: one deployment (5 s) and each cluster in a list (2 s). */
  timeouts?: { singleMs: number; listMs: number };
}

interface Observed {
  status: DeploymentStatus;
  readyReplicas: number;
  endpoints: string[];
  reason: string | null;
  message: string;
}

interface ResourceProfileSpec {
  gpuCount: number;
  gpuType?: string;
  gpuMemoryGiB?: number;
  cpu: string;
  memory: string;
}

function refuse(check: ReturnType<typeof checkAction>): void {
  if (check.allowed) return;
  // Changing a paused deployment is a bad request (documented 400); other refusals are conflicts.
  throw new AppError(check.code, check.message, { statusCode: check.code === 'DEPLOYMENT_PAUSED' ? 400 : 409 });
}

/** Deep merge of optimization tiers: `over` wins key by key; raw lists are replaced whole. */
function mergeOptimization(base: Optimization, over: Optimization | undefined): Optimization {
  if (!over) return base;
  return {
    ...((base.tier1 ?? over.tier1) ? { tier1: { ...base.tier1, ...over.tier1 } } : {}),
    ...((base.tier2 ?? over.tier2) ? { tier2: { ...base.tier2, ...over.tier2 } } : {}),
    ...((base.raw ?? over.raw) ? { raw: { ...base.raw, ...over.raw } } : {}),
  };
}

/** Told when a deployment's routing changes (paused, resumed, deleted): the gateway reloads its routes. */
export type DeploymentChangeListener = (deploymentId: string) => Promise<void> | void;

export function createDeploymentService(deps: DeploymentServiceDeps) {
  const { repo, drivers, logger } = deps;
  const timeouts = deps.timeouts ?? { singleMs: 5_000, listMs: 2_000 };
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

  function toDeployment(record: DeploymentRecord, source: StatusSource, observed?: Observed): Deployment {
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

  function interpret(record: DeploymentRecord, status: WorkloadStatus | null, endpoints: string[]): Observed {
    const reasons = status ? [status.reason, ...status.replicaStatuses.map((replica) => replica.reason)].filter((reason): reason is string => Boolean(reason)) : [];
    const derived = deriveStatus(
      { exists: status !== null, desiredReplicas: status?.replicas.desired ?? 0, readyReplicas: status?.replicas.ready ?? 0, reasons },
      { paused: record.paused, deleting: record.deleting },
    );
    const message = status === null && !record.paused ? 'The workload is not on the cluster.' : (status?.message ?? '');
    return { status: derived, readyReplicas: status?.replicas.ready ?? 0, endpoints: derived === 'paused' ? [] : endpoints, reason: status?.reason ?? null, message };
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
    await repo.update(record.id, {
      status: observed.status,
      readyReplicas: observed.readyReplicas,
      statusReason: observed.reason,
      statusMessage: observed.message,
      endpoints: observed.endpoints,
      observedAt: new Date(),
      consecutiveFailures: 0,
    });
  }

  /** Live status with a deadline; the saved status (`cached`) when the cluster does not answer. */
  async function withLiveStatus(record: DeploymentRecord, deadlineMs: number, cluster?: Cluster): Promise<Deployment> {
    try {
      const driver = drivers.forCluster(cluster ?? (await deps.clusters.get(record.clusterName)));
      const { observed } = await observe(driver, record, deadlineMs);
      await remember(record, observed);
      return toDeployment(record, 'live', observed);
    } catch (error) {
      logger.debug({ err: error, deployment: record.name }, 'live status unavailable, answering the saved one');
      return toDeployment(record, 'cached');
    }
  }

  async function resourceProfile(id: string | null | undefined): Promise<ResourceProfileSpec | null> {
    if (!id) return null;
    return (await deps.policies.get('resource_profile', id)) as unknown as ResourceProfileSpec;
  }

  /** Free GPUs per node: what the inventory says, less what other H-MAS deployments hold on a host. */
  async function capacity(cluster: Cluster, exceptDeploymentId?: string): Promise<GpuCapacity> {
    const nodes = cluster.inventory?.nodes ?? [];
    const freePerNode = nodes.map((node) => node.gpuAllocatable - node.gpuAllocated);
    if (cluster.connection.kind === 'local') {
      // The host inventory does not know which GPUs H-MAS's own processes hold.
      let held = 0;
      for (const other of await repo.all()) {
        if (other.clusterId !== cluster.id || other.id === exceptDeploymentId || other.paused) continue;
        held += (await resourceProfile(other.resourceProfileId))?.gpuCount ?? 0;
      }
      for (let index = 0; index < freePerNode.length && held > 0; index += 1) {
        const take = Math.min(held, Math.max(0, freePerNode[index]!));
        freePerNode[index] = freePerNode[index]! - take;
        held -= take;
      }
    }
    return { freePerNode, clusterName: cluster.name };
  }

  function checkGpuMemory(model: Model, perReplica: number, cluster: Cluster): void {
    const memoryMiB = cluster.inventory?.nodes.flatMap((node) => node.gpus).find((group) => group.memoryMiB)?.memoryMiB;
    if (perReplica === 0 || !memoryMiB) return;
    const recommendation = recommendResources(model, { gpuMemoryGiB: memoryMiB / 1024 });
    if (recommendation?.gpuCount && recommendation.gpuCount > perReplica) {
      throw new ConflictError(
        'INSUFFICIENT_GPU',
        `${model.name} needs ${recommendation.gpuCount} GPU(s) of ${Math.round(memoryMiB / 1024)} GiB per replica (${recommendation.weightsGiB} GiB weights + ${recommendation.kvCacheGiB} GiB KV cache); the resource profile gives ${perReplica}.`,
        { recommendation },
      );
    }
  }

  async function checkModelFile(model: Model, runtime: string): Promise<void> {
    const adapter = requireRuntime(runtime);
    if (!adapter.supportedFormats.includes(model.format)) {
      throw new AppError('RUNTIME_MODEL_MISMATCH', `${adapter.displayName} loads ${adapter.supportedFormats.join(' or ')} models; ${model.name} is ${model.format}.`, { statusCode: 400 });
    }
    if (model.localPath) {
      try {
        await access(model.localPath, constants.R_OK);
      } catch {
        throw new AppError('MODEL_FILE_NOT_FOUND', `The model file ${model.localPath} of ${model.name} cannot be read on the host.`, { statusCode: 400 });
      }
      return;
    }
    if (!FILE_RUNTIMES.has(runtime)) return;
    if (!deps.modelFiles || deps.modelFiles.pathFor(model) === null) {
      throw new ConflictError(
        'MODEL_NOT_DOWNLOADED',
        `${adapter.displayName} needs ${model.name} as a .gguf file on the host: register the file with a local path${model.format === 'gguf' && !model.hfFile ? ', or set hfFile so it can be downloaded from the Hub' : ''}.`,
      );
    }
    // Start (or join) the download and refuse for now: the caller deploys again once it is done.
    const file = await deps.modelFiles.ensure(model);
    if ('progress' in file) {
      const { progress } = file;
      throw new ConflictError(
        'MODEL_DOWNLOADING',
        `${model.name} is being downloaded from Hugging Face: ${describeDownloadProgress(progress)}; deploy again when it is done — GET /api/models/${model.id}/download shows the progress.`,
        { download: progress },
      );
    }
  }

  /** The downloaded file of a Hub GGUF model for a runtime that loads a file; the same path whether or not it is there yet. */
  function modelPathFor(model: Model, runtime: string): string | undefined {
    if (model.localPath || !FILE_RUNTIMES.has(runtime)) return undefined;
    return deps.modelFiles?.pathFor(model) ?? undefined;
  }

  /** The settings a new deployment gets, and the raw settings of the preset it starts from (an admin's to write). */
  async function optimizationFor(runtime: string, presetId: string | undefined | null, optimization: Optimization | undefined): Promise<{ optimization: Optimization; presetRaw: Optimization['raw'] }> {
    if (!presetId) return { optimization: normalizeOptimization(optimization ?? {}), presetRaw: undefined };
    const preset = await deps.presets.get(presetId);
    if (preset.runtime !== runtime) {
      throw new AppError('PRESET_RUNTIME_MISMATCH', `Preset ${presetId} is for ${preset.runtime}, not ${runtime}.`, { statusCode: 400 });
    }
    return { optimization: normalizeOptimization(mergeOptimization(preset.optimization, optimization)), presetRaw: preset.optimization.raw };
  }

  function render(
    record: { id: string; name: string; replicas: number; runtime: string; strategy: WorkloadStrategy },
    model: Model,
    profile: ResourceProfileSpec | null,
    optimization: Optimization,
  ): { spec: WorkloadSpec; warnings: OptimizationIssue[] } {
    const modelPath = modelPathFor(model, record.runtime);
    return renderWorkloadSpec({
      deployment: { id: record.id, name: record.name, replicas: record.replicas },
      model: { name: model.name, localPath: model.localPath, hfRepoId: model.hfRepoId, revision: model.revision, hfFile: model.hfFile },
      ...(modelPath ? { modelPath } : {}),
      runtime: requireRuntime(record.runtime),
      resourceProfile: profile,
      optimization,
      strategy: record.strategy,
    });
  }

  async function pickCluster(strategyId: string, model: Model, runtime: string, replicas: number, profile: ResourceProfileSpec | null): Promise<Cluster> {
    const strategy = (await deps.policies.get('placement_strategy', strategyId)) as unknown as {
      name: string;
      matchLabels: Record<string, string>;
      clusterTypes: string[];
      clusterNames: string[];
      minFreeGpus: number;
      preference: 'most-free-gpus' | 'least-free-gpus';
    };
    const perReplica = gpusPerReplica(runtime, profile, model);
    const candidates: Array<{ cluster: Cluster; free: number }> = [];
    for (const cluster of (await deps.clusters.list(500, 0)).items) {
      if (cluster.readiness.state !== 'ready') continue;
      if (strategy.clusterTypes.length > 0 && !strategy.clusterTypes.includes(cluster.type)) continue;
      if (strategy.clusterNames.length > 0 && !strategy.clusterNames.includes(cluster.name)) continue;
      if (Object.entries(strategy.matchLabels).some(([key, value]) => cluster.labels[key] !== value)) continue;
      try {
        // Another instance's local cluster is placed on too: its owner starts what is recorded.
        drivers.actingDriver(cluster);
      } catch {
        continue;
      }
      const room = await capacity(cluster);
      const free = room.freePerNode.reduce((sum, value) => sum + Math.max(0, value), 0);
      if (free < strategy.minFreeGpus || !planGpuFit(perReplica, replicas, room).fits) continue;
      candidates.push({ cluster, free });
    }
    candidates.sort((a, b) => (strategy.preference === 'most-free-gpus' ? b.free - a.free : a.free - b.free) || a.cluster.name.localeCompare(b.cluster.name));
    const chosen = candidates[0];
    if (!chosen) {
      throw new ConflictError('NO_CLUSTER_MATCHES', `No ready cluster matches placement strategy "${strategy.name}" with room for ${replicas} replica(s) × ${perReplica} GPU.`);
    }
    return chosen.cluster;
  }

  /** Whether the cluster runs something else than the saved deployment says. */
  function drifted(record: DeploymentRecord, status: WorkloadStatus | null): boolean {
    if (record.paused) return status !== null && status.replicas.desired !== 0;
    return status === null || status.specHash !== record.specHash || status.replicas.desired !== record.replicas;
  }

  /**
   * Brings a drifted workload back to the saved deployment: applies it when the cluster lost it
   * or runs another spec (a change saved through an instance that does not own the cluster),
   * else restores the replica count.
   */
  async function correct(driver: ClusterDriver, record: DeploymentRecord, status: WorkloadStatus | null): Promise<void> {
    if (!record.paused && (status === null || status.specHash !== record.specHash)) {
      logger.warn({ deployment: record.name }, status === null ? 'workload missing on the cluster: applying it again' : 'spec changed in the database: applying it');
      const model = await deps.models.get(record.modelId);
      const { spec } = render({ ...record, strategy: record.strategy }, model, await resourceProfile(record.resourceProfileId), record.optimization as Optimization);
      await driver.apply(spec);
      // This host's rendering (its own model file paths) is what to compare with from now on.
      if (spec.specHash !== record.specHash) await repo.update(record.id, { specHash: spec.specHash });
      return;
    }
    const desired = record.paused ? 0 : record.replicas;
    logger.warn({ deployment: record.name, seen: status?.replicas.desired, desired }, 'replica count changed outside H-MAS: restoring it');
    await driver.scale(record.name, desired);
  }

  /** The status message of a change this instance only recorded, for the owning instance to carry out. */
  function recordedFor(cluster: Cluster, what: string): string {
    return `Recorded; ${describeOwner(cluster)} ${what} at its next reconcile.`;
  }

  /** `driver` is null where another instance owns the cluster: the change is only recorded, for its reconciler. */
  async function act(id: string, action: DeploymentAction): Promise<{ record: DeploymentRecord; driver: ClusterDriver | null; cluster: Cluster }> {
    const record = await requireRecord(id);
    refuse(checkAction(record.status, action));
    const cluster = await deps.clusters.get(record.clusterName);
    return { record, driver: drivers.actingDriver(cluster), cluster };
  }

  return {
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

    /** `access.role`: raw settings beyond a preset's are admin-only (403 RAW_SETTINGS_ADMIN_ONLY). */
    async create(input: CreateDeploymentInput, actorId: string | null, access: { role: Role }): Promise<Deployment> {
      const model = await deps.models.get(input.modelId);
      const profile = await resourceProfile(input.resourceProfileId);
      const cluster = input.cluster ? await deps.clusters.get(input.cluster) : await pickCluster(input.placementStrategyId!, model, input.runtime, input.replicas, profile);
      const driver = drivers.actingDriver(cluster);
      // Settings are refused before anything starts (a model download, for one).
      const { optimization, presetRaw } = await optimizationFor(input.runtime, input.optimizationPresetId, input.optimization);
      assertMayWriteRaw(access.role, presetRaw, optimization.raw);
      assertRuntimeEnvAllowed(cluster, input.runtime, optimization);
      // A file downloaded here would be on the wrong host: the owner has to fetch it.
      if (!driver && modelPathFor(model, input.runtime)) throw new ClusterOwnedByOtherHostError(cluster, `deploy ${model.name} with ${input.runtime}`);
      await checkModelFile(model, input.runtime);
      const perReplica = gpusPerReplica(input.runtime, profile, model);
      checkGpuMemory(model, perReplica, cluster);
      const fit = planGpuFit(perReplica, input.replicas, await capacity(cluster));
      if (!fit.fits) throw new ConflictError('INSUFFICIENT_GPU', fit.message, { fit });

      await deps.secrets?.checkSettings(optimization.raw?.extraEnv);
      const id = randomUUID();
      const { spec } = render({ id, name: input.name, replicas: input.replicas, runtime: input.runtime, strategy: 'RollingUpdate' }, model, profile, optimization);
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
        // Accepted and kept: the reconciler tries again; the status says what went wrong.
        logger.error({ err: error, deployment: input.name }, 'applying the workload failed');
        await repo.update(id, { status: 'failed', statusReason: 'ApplyFailed', statusMessage: error instanceof Error ? error.message : String(error) });
      }
      return toDeployment((await repo.find(id))!, 'cached');
    },

    /** `options.role`: raw settings may change only by an admin (403 RAW_SETTINGS_ADMIN_ONLY), dry runs included. */
    async update(id: string, input: UpdateDeploymentInput, options: { dryRun: boolean; role: Role }): Promise<Deployment | DryRunAnswer> {
      const { record, driver, cluster } = await act(id, 'update');
      const model = await deps.models.get(record.modelId);
      const profileIdAfter = input.resourceProfileId === undefined ? record.resourceProfileId : input.resourceProfileId;
      const [profileBefore, profileAfter] = await Promise.all([resourceProfile(record.resourceProfileId), resourceProfile(profileIdAfter)]);
      const replicasAfter = input.replicas ?? record.replicas;
      const optimizationBefore = record.optimization as Optimization;
      const optimizationAfter = input.optimization === undefined ? optimizationBefore : normalizeOptimization(input.optimization);
      assertMayWriteRaw(options.role, optimizationBefore.raw, optimizationAfter.raw);
      assertRuntimeEnvAllowed(cluster, record.runtime, optimizationAfter);
      if (input.optimization !== undefined) await deps.secrets?.checkSettings(optimizationAfter.raw?.extraEnv);

      const before = render({ ...record, strategy: record.strategy }, model, profileBefore, optimizationBefore);
      const after = render({ ...record, replicas: replicasAfter, strategy: record.strategy }, model, profileAfter, optimizationAfter);
      const perReplica = gpusPerReplica(record.runtime, profileAfter, model);
      const plan: UpdatePlan = planUpdate({
        specHashBefore: before.spec.specHash,
        specHashAfter: after.spec.specHash,
        replicasBefore: record.replicas,
        replicasAfter,
        gpusPerReplicaAfter: perReplica,
        capacityWithOwn: await capacity(cluster, record.id),
      });
      const diff = diffConfig(
        { replicas: record.replicas, resourceProfileId: record.resourceProfileId, optimization: optimizationBefore },
        { replicas: replicasAfter, resourceProfileId: profileIdAfter, optimization: optimizationAfter },
      );
      if (options.dryRun) {
        return { dryRun: true, restartRequired: plan.restartRequired, strategy: plan.strategy, reason: plan.reason, impact: plan.impact, fit: plan.fit, diff, warnings: after.warnings };
      }
      checkGpuMemory(model, perReplica, cluster);
      if (!plan.fit.fits) throw new ConflictError('INSUFFICIENT_GPU', plan.fit.message, { fit: plan.fit });
      if (diff.length === 0) return toDeployment(record, 'cached');

      const strategy = plan.restartRequired ? plan.strategy : record.strategy;
      const rolled = plan.restartRequired ? render({ ...record, replicas: replicasAfter, strategy }, model, profileAfter, optimizationAfter).spec : undefined;
      const specHash = rolled?.specHash ?? record.specHash;
      // Saved before the cluster is told, so a reconcile pass in between applies this change
      // rather than undoing it. Without a driver here the owner's reconciler applies it.
      await repo.update(record.id, {
        replicas: replicasAfter,
        resourceProfileId: profileIdAfter,
        optimization: optimizationAfter as Record<string, unknown>,
        specHash,
        strategy,
        status: plan.restartRequired || replicasAfter > record.readyReplicas ? 'deploying' : record.status,
        ...(driver ? {} : { statusMessage: recordedFor(cluster, 'applies the change') }),
      });
      if (driver && rolled) await driver.apply(rolled);
      else if (driver) await driver.scale(record.name, replicasAfter);
      return withLiveStatus((await repo.find(record.id))!, timeouts.singleMs, cluster);
    },

    async pause(id: string): Promise<Deployment> {
      // Saved and announced before the replicas stop, so the gateway answers 503 instead of
      // sending requests to replicas on their way out. Should scaling fail, the reconciler scales
      // a paused deployment to 0.
      const { record, driver, cluster } = await act(id, 'pause');
      const statusMessage = driver ? 'Scaled to 0; resume brings the replicas back.' : recordedFor(cluster, 'stops the replicas');
      await repo.update(record.id, { paused: true, status: 'paused', readyReplicas: 0, endpoints: [], statusReason: null, statusMessage });
      await announce(record.id);
      if (driver) await driver.scale(record.name, 0);
      return toDeployment((await repo.find(record.id))!, 'cached');
    },

    async resume(id: string): Promise<Deployment> {
      const { record, driver, cluster } = await act(id, 'resume');
      const existing = driver ? await driver.status(record.name) : null;
      if (driver && existing) {
        await driver.scale(record.name, record.replicas);
      } else if (driver) {
        const model = await deps.models.get(record.modelId);
        await driver.apply(render({ ...record, strategy: record.strategy }, model, await resourceProfile(record.resourceProfileId), record.optimization as Optimization).spec);
      }
      const statusMessage = driver ? `Starting ${record.replicas} replica(s).` : recordedFor(cluster, `starts ${record.replicas} replica(s)`);
      await repo.update(record.id, { paused: false, status: 'deploying', statusReason: null, statusMessage });
      await announce(record.id);
      return toDeployment((await repo.find(record.id))!, 'cached');
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

    async events(id: string, since: Date | undefined): Promise<WorkloadEvent[]> {
      const record = await requireRecord(id);
      const driver = drivers.forCluster(await deps.clusters.get(record.clusterName));
      return liveOrUnavailable(record.clusterName, () => readWithDeadline(timeouts.singleMs, (signal) => driver.events(record.name, since, { signal })));
    },

    async logs(id: string, tailLines: number, replica: string | undefined): Promise<ReplicaLogs[]> {
      const record = await requireRecord(id);
      const driver = drivers.forCluster(await deps.clusters.get(record.clusterName));
      return liveOrUnavailable(record.clusterName, () => readWithDeadline(timeouts.singleMs, (signal) => driver.logs(record.name, { tailLines, signal, ...(replica ? { replica } : {}) })));
    },

    /** The last lines, then each new line as the replicas write it, until `signal` aborts. */
    async followLogs(id: string, tailLines: number, signal: AbortSignal): Promise<AsyncIterable<{ replica: string; line: string }>> {
      const record = await requireRecord(id);
      const driver = drivers.forCluster(await deps.clusters.get(record.clusterName));
      return driver.followLogs(record.name, { tailLines, signal });
    },

    /** Deployments whose model or policies are referred to, for 409s elsewhere. */
    usingModel: (modelId: string) => repo.usingModel(modelId),
    usingPolicy: (policyId: string) => repo.usingPolicy(policyId),

    /** Subscribes to routing changes (pause, resume, delete); returns the unsubscribe function. */
    onChange(listener: DeploymentChangeListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * One reconcile pass: observe every deployment, save what is seen, count failed calls
     * (unknown after three), finish interrupted deletes, and re-apply workloads a cluster lost
     * or scaled outside H-MAS.
     */
    async reconcile(signal?: AbortSignal): Promise<void> {
      const leftToOwners: string[] = [];
      for (const record of await repo.all()) {
        if (signal?.aborted) return;
        let cluster: Cluster;
        let driver: ClusterDriver | null;
        try {
          cluster = await deps.clusters.get(record.clusterName);
          driver = drivers.actingDriver(cluster);
        } catch {
          continue;
        }
        // Another instance owns the cluster: it observes, restarts and removes these replicas.
        if (!driver) {
          leftToOwners.push(record.name);
          continue;
        }
        if (record.deleting) {
          await driver.remove(record.name).then(() => repo.remove(record.id)).catch((error: unknown) => logger.warn({ err: error, deployment: record.name }, 'delete not finished yet'));
          continue;
        }
        try {
          const { observed, status } = await observe(driver, record, timeouts.singleMs);
          // Corrections follow the row as it is now, not as this pass read it: a change saved
          // meanwhile (here or through another instance) must not be rolled back.
          const latest = drifted(record, status) ? await repo.find(record.id) : undefined;
          if (latest && !latest.deleting && drifted(latest, status)) await correct(driver, latest, status);
          await remember(record, observed);
        } catch (error) {
          const failures = record.consecutiveFailures + 1;
          const next = statusAfterFailedObservation(record.status, failures);
          logger.warn({ err: error, deployment: record.name, failures }, 'could not observe deployment');
          await repo.update(record.id, {
            consecutiveFailures: failures,
            status: next,
            ...(next === 'unknown' ? { statusMessage: `The cluster did not answer ${failures} times in a row; last known state kept.` } : {}),
          });
        }
      }
      if (leftToOwners.length > 0) logger.debug({ deployments: leftToOwners }, 'reconcile pass: deployments on clusters other instances own were left to them');
    },

    /** Every 60 s: deployments of clusters that do not answer are `unknown`, all at once. */
    async markNotReadyClusters(): Promise<number> {
      const notReady = (await deps.clusters.list(500, 0)).items.filter((cluster) => cluster.readiness.state === 'notReady').map((cluster) => cluster.id);
      return repo.markUnknownOnClusters(notReady, 'The cluster is not ready; status unknown until it answers again.');
    },
  };
}

export type DeploymentService = ReturnType<typeof createDeploymentService>;
