import { z } from 'zod';
import { optimizationSchema } from './optimization.js';
import { paginationQuerySchema } from './pagination.js';
import { WORKLOAD_STRATEGIES } from './workload.js';

/**
 * Rollouts (changes that restart a deployment's replicas, followed until they succeed or are
 * rolled back) and config history (every change of a deployment's settings): the shapes the
 * API, the web UI and the CLI share.
 */

/**
 * - `progressing`: the new replicas are starting; the rollout monitor follows them;
 * - `succeeded`: every desired replica of the new spec is ready;
 * - `failed`: a rollback that failed itself (no rollback of a rollback: it stops there);
 * - `rolled_back`: its change was undone (automatically after a failure, or by an operator);
 * - `superseded`: another change came before it finished.
 */
export const ROLLOUT_STATES = ['progressing', 'succeeded', 'failed', 'rolled_back', 'superseded'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** The status reason of a deployment whose automatic rollback failed too (kept until its spec changes). */
export const ROLLBACK_FAILED = 'RollbackFailed';

/** Why settings changed: an operator's PATCH, a preset, a rollback, a failover to another cluster, or (reserved) automatic tuning. */
export const CHANGE_CAUSES = ['manual', 'preset', 'rollback', 'failover', 'auto_tuning'] as const;
export type ChangeCause = (typeof CHANGE_CAUSES)[number];

/** How a recorded change ended: it stands, it was rolled back, or its rollback failed. */
export const HISTORY_RESULTS = ['applied', 'rolled_back', 'failed'] as const;
export type HistoryResult = (typeof HISTORY_RESULTS)[number];

/** The settings of a deployment that a change may touch (what PATCH takes). */
export const deploymentConfigSchema = z.object({
  replicas: z.number().int(),
  resourceProfileId: z.string().nullable(),
  optimization: optimizationSchema,
  /** The preset the settings came from (null: none); absent on entries recorded before presets were tracked. */
  optimizationPresetId: z.string().nullable().optional(),
  /** Where the deployment runs: on entries that moved it (a failover), before and after. */
  cluster: z.string().optional(),
});
export type DeploymentConfig = z.infer<typeof deploymentConfigSchema>;

/**
 * The settings of a snapshot or history entry, as PATCH takes them (what a rollback sends). The
 * preset is not among them: a rollback restores the snapshot's settings as they were, and its
 * preset id with them (not the preset's settings of today).
 */
export function settingsOf(config: DeploymentConfig): DeploymentConfig {
  return { replicas: config.replicas, resourceProfileId: config.resourceProfileId, optimization: config.optimization };
}

/** A rollout's snapshot: the settings and how replicas were replaced. */
export const rolloutConfigSchema = deploymentConfigSchema.extend({ strategy: z.enum(WORKLOAD_STRATEGIES) });
export type RolloutConfig = z.infer<typeof rolloutConfigSchema>;

/** Replicas of a rollout as the cluster reports them now. */
export const rolloutProgressSchema = z.object({
  desired: z.number().int(),
  /** Replicas running the new spec (any state). */
  updated: z.number().int(),
  ready: z.number().int(),
  /** Replicas still running an older spec. */
  old: z.number().int(),
  /** Why replicas are not ready (CrashLoopBackOff, OOMKilled, …), when the cluster says. */
  reason: z.string().nullable(),
});
export type RolloutProgress = z.infer<typeof rolloutProgressSchema>;

export const rolloutSchema = z.object({
  id: z.string(),
  deploymentId: z.string(),
  cause: z.enum(CHANGE_CAUSES),
  state: z.enum(ROLLOUT_STATES),
  strategy: z.enum(WORKLOAD_STRATEGIES),
  previousConfig: rolloutConfigSchema,
  previousSpecHash: z.string().nullable(),
  targetConfig: rolloutConfigSchema,
  targetSpecHash: z.string(),
  /** On a rollback: the rollout whose change it undid. */
  rollbackOf: z.string().nullable(),
  /** Why it ended as it did (CrashLoopBackOff, OOMKilled, ProgressDeadlineExceeded, …). */
  reason: z.string().nullable(),
  message: z.string(),
  actorId: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type Rollout = z.infer<typeof rolloutSchema>;

/** GET /api/deployments/:id/rollout: the current or last rollout, with live progress (null when the cluster does not answer). */
export const rolloutWithProgressSchema = rolloutSchema.extend({ progress: rolloutProgressSchema.nullable() });
export type RolloutWithProgress = z.infer<typeof rolloutWithProgressSchema>;

export const configHistoryEntrySchema = z.object({
  id: z.string(),
  deploymentId: z.string(),
  rolloutId: z.string().nullable(),
  cause: z.enum(CHANGE_CAUSES),
  actorId: z.string().nullable(),
  actorUsername: z.string().nullable(),
  /** Null for the deployment's creation. */
  before: deploymentConfigSchema.nullable(),
  after: deploymentConfigSchema,
  result: z.enum(HISTORY_RESULTS),
  createdAt: z.string(),
});
export type ConfigHistoryEntry = z.infer<typeof configHistoryEntrySchema>;

/** One history entry with what changed, leaf by leaf (`path`: `optimization.tier2.threads`, …). */
export const configHistoryDetailSchema = configHistoryEntrySchema.extend({
  diff: z.array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() })),
});
export type ConfigHistoryDetail = z.infer<typeof configHistoryDetailSchema>;

export const rolloutListQuerySchema = paginationQuerySchema.strict();
export const configHistoryQuerySchema = paginationQuerySchema.strict();
