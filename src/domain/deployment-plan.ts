import type { OptimizationIssue, RuntimeId } from './optimization.js';
import type { WorkloadStrategy } from './workload.js';

/**
 * Pure planning for deployments: do the replicas fit on the cluster's free GPUs, what changes,
 * and how a change rolls out. The service gathers the numbers; these functions decide.
 */

export interface GpuCapacity {
  /** Free GPUs on each node (allocatable − allocated − what other H-MAS deployments hold). */
  freePerNode: number[];
  clusterName: string;
}

export interface FitPlan {
  fits: boolean;
  gpusPerReplica: number;
  replicas: number;
  gpusRequired: number;
  freeGpus: number;
  /** Replicas the free GPUs hold, each replica's GPUs on one node. */
  placeableReplicas: number;
  message: string;
}

/** Runtimes that serve on CPUs when no resource profile gives them GPUs. */
export const CPU_CAPABLE_RUNTIMES: ReadonlySet<string> = new Set<RuntimeId>(['embedded-llamacpp', 'llamacpp', 'ollama']);

/**
 * GPUs one replica gets: the resource profile's count; none for a CPU-capable runtime without a
 * profile; else what the model's recommendation asks for (at least one). Server and UI both use it.
 */
export function gpusPerReplica(runtime: string, profile: { gpuCount: number } | null, model: { recommendation: { gpuCount: number | null } | null }): number {
  if (profile) return profile.gpuCount;
  if (CPU_CAPABLE_RUNTIMES.has(runtime)) return 0;
  return Math.max(1, model.recommendation?.gpuCount ?? 1);
}

/** Whether `replicas` replicas of `gpusPerReplica` GPUs each fit, each on one node. */
export function planGpuFit(gpusPerReplica: number, replicas: number, capacity: GpuCapacity): FitPlan {
  const freeGpus = capacity.freePerNode.reduce((sum, free) => sum + Math.max(0, free), 0);
  const gpusRequired = gpusPerReplica * replicas;
  if (gpusPerReplica === 0) {
    return { fits: true, gpusPerReplica, replicas, gpusRequired: 0, freeGpus, placeableReplicas: replicas, message: `Needs no GPU (CPU runtime); ${replicas} replica(s) on ${capacity.clusterName}.` };
  }
  const placeableReplicas = capacity.freePerNode.reduce((sum, free) => sum + Math.floor(Math.max(0, free) / gpusPerReplica), 0);
  const fits = placeableReplicas >= replicas;
  const perNode = capacity.freePerNode.length > 0 ? capacity.freePerNode.join(', ') : 'none';
  const message = fits
    ? `Fits: ${replicas} × ${gpusPerReplica} GPU = ${gpusRequired} GPUs of ${freeGpus} free on ${capacity.clusterName}.`
    : `Needs ${replicas} replica(s) × ${gpusPerReplica} GPU = ${gpusRequired} GPUs, each replica's GPUs on one node; ${capacity.clusterName} has ${freeGpus} free (per node: ${perNode}), room for ${placeableReplicas} replica(s).`;
  return { fits, gpusPerReplica, replicas, gpusRequired, freeGpus, placeableReplicas, message };
}

export interface ConfigChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** Leaf-by-leaf differences between two JSON values (objects compared by key, arrays whole). */
export function diffConfig(before: unknown, after: unknown, path = ''): ConfigChange[] {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffConfig(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, before: before ?? null, after: after ?? null }];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Leaves of a value under `prefix` (objects by key, arrays whole; unset leaves left out). */
function leavesOf(value: unknown, prefix: string, into: Map<string, unknown>): Map<string, unknown> {
  if (isPlainObject(value)) for (const [key, inner] of Object.entries(value)) leavesOf(inner, prefix ? `${prefix}.${key}` : key, into);
  else if (value !== undefined && value !== null) into.set(prefix, value);
  return into;
}

/**
 * Like {@link diffConfig}, but always down to the leaves: a tier set where there was none is one
 * change per knob (`optimization.tier1.maxModelLength: null → 512`), not one for the whole tier.
 * For people reading a change (the web UI's history, `hmas rollout history`).
 */
export function diffLeaves(before: unknown, after: unknown, prefix = ''): ConfigChange[] {
  const was = leavesOf(before, prefix, new Map());
  const now = leavesOf(after, prefix, new Map());
  return [...new Set([...was.keys(), ...now.keys()])]
    .filter((path) => JSON.stringify(was.get(path)) !== JSON.stringify(now.get(path)))
    .map((path) => ({ path, before: was.get(path) ?? null, after: now.get(path) ?? null }));
}

export interface UpdatePlanInput {
  /** Spec hashes before and after the change: different hashes restart replicas. */
  specHashBefore: string;
  specHashAfter: string;
  replicasBefore: number;
  replicasAfter: number;
  gpusPerReplicaAfter: number;
  /** Free GPUs per node with this deployment's own GPUs counted as free. */
  capacityWithOwn: GpuCapacity;
}

export interface UpdatePlan {
  restartRequired: boolean;
  strategy: WorkloadStrategy;
  reason: string;
  fit: FitPlan;
  impact: string;
}

/**
 * How a change rolls out. A spec change restarts replicas: RollingUpdate brings up one new
 * replica before stopping an old one, so it needs room for one more replica; where the GPUs
 * cannot hold that extra copy, Recreate stops the old replicas first (a short outage).
 */
export function planUpdate(input: UpdatePlanInput): UpdatePlan {
  const fit = planGpuFit(input.gpusPerReplicaAfter, input.replicasAfter, input.capacityWithOwn);
  const restartRequired = input.specHashBefore !== input.specHashAfter;
  if (!restartRequired) {
    const scaling = input.replicasAfter === input.replicasBefore ? 'No change to the running replicas.' : `Scales from ${input.replicasBefore} to ${input.replicasAfter} replica(s); running replicas keep serving.`;
    return { restartRequired, strategy: 'RollingUpdate', reason: 'Only the replica count changes: no restart.', fit, impact: scaling };
  }
  const surge = planGpuFit(input.gpusPerReplicaAfter, input.replicasAfter + 1, input.capacityWithOwn);
  if (input.gpusPerReplicaAfter === 0 || surge.fits) {
    return {
      restartRequired,
      strategy: 'RollingUpdate',
      reason: input.gpusPerReplicaAfter === 0 ? 'No GPUs involved: a new replica starts before an old one stops.' : `Room for one extra replica (${input.gpusPerReplicaAfter} GPU) during the update.`,
      fit,
      impact: `Replicas restart one at a time with the new settings; the deployment keeps serving (model load time per replica).`,
    };
  }
  return {
    restartRequired,
    strategy: 'Recreate',
    reason: `The GPUs cannot hold a second copy during the update (${surge.message})`,
    fit,
    impact: 'All replicas stop, then start with the new settings: the deployment does not serve until the model is loaded again.',
  };
}

/** PATCH /api/deployments/:id?dryRun=true: what the change would do; nothing is changed. */
export interface DryRunAnswer {
  dryRun: true;
  restartRequired: boolean;
  strategy: WorkloadStrategy;
  reason: string;
  impact: string;
  fit: FitPlan;
  diff: ConfigChange[];
  warnings: OptimizationIssue[];
}
