import { z } from 'zod';
import { DEPLOYMENT_STATUSES, STATUS_SOURCES } from './deployment-status.js';
import { optimizationSchema, RUNTIME_IDS } from './optimization.js';
import { paginationQuerySchema } from './pagination.js';

/** Deployments: request and response shapes shared by the server, the web UI and the CLI. */

export const MAX_REPLICAS = 64;

export const deploymentNameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'Use a DNS-1123 label: 1–63 lowercase letters, digits and "-", starting and ending with a letter or digit.');

const replicasSchema = z.number().int().min(0).max(MAX_REPLICAS);

/** A preset's id: a stored preset's UUID or a built-in's `builtin:<runtime>:<name>`. */
const presetIdSchema = z.string().min(1).max(200);

export const createDeploymentSchema = z
  .object({
    name: deploymentNameSchema,
    modelId: z.uuid('modelId must be the id of a registered model.'),
    cluster: deploymentNameSchema.optional().describe('Cluster name; or give placementStrategyId.'),
    placementStrategyId: z.uuid().optional(),
    runtime: z.enum(RUNTIME_IDS, { error: `runtime must be one of ${RUNTIME_IDS.join(', ')}.` }),
    replicas: replicasSchema.default(1),
    resourceProfileId: z.uuid().optional(),
    optimizationPresetId: presetIdSchema.optional().describe('Start from this preset; `optimization` is applied on top.'),
    optimization: optimizationSchema.optional(),
  })
  .strict()
  .refine((input) => (input.cluster === undefined) !== (input.placementStrategyId === undefined), {
    message: 'Give exactly one of cluster (a cluster name) or placementStrategyId.',
    path: ['cluster'],
  });
export type CreateDeploymentInput = z.infer<typeof createDeploymentSchema>;

/** What a change of a deployment may touch (PATCH, and resume with new settings). */
const changeFieldsSchema = z
  .object({
    replicas: replicasSchema.optional(),
    optimization: optimizationSchema.optional().describe('Replaces the whole optimization.'),
    resourceProfileId: z.uuid().nullable().optional(),
    optimizationPresetId: presetIdSchema
      .nullable()
      .optional()
      .describe("Switch to this preset: its settings, with `optimization` on top, replace the deployment's. null keeps the settings and drops the preset."),
  })
  .strict();
export const updateDeploymentSchema = changeFieldsSchema.refine((input) => Object.keys(input).length > 0, {
  message: 'Nothing to change: give replicas, optimization, optimizationPresetId or resourceProfileId.',
});
export type UpdateDeploymentInput = z.infer<typeof updateDeploymentSchema>;

/** POST /api/deployments/:id/resume: optionally, settings the replicas start with (the fields of PATCH; none changed is a plain resume). */
export const resumeDeploymentSchema = changeFieldsSchema.nullish();
export type ResumeDeploymentInput = z.infer<typeof changeFieldsSchema>;

export const dryRunQuerySchema = z
  .object({ dryRun: z.enum(['true', 'false']).default('false').transform((value) => value === 'true') })
  .strict();

export const deploymentListQuerySchema = paginationQuerySchema
  .extend({
    status: z.enum(DEPLOYMENT_STATUSES).optional(),
    cluster: deploymentNameSchema.optional(),
    modelId: z.uuid().optional(),
    q: z.string().trim().min(1).max(63).optional().describe('Part of the name.'),
  })
  .strict();
export type DeploymentListQuery = z.infer<typeof deploymentListQuerySchema>;

export const deploymentSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  modelId: z.string(),
  modelName: z.string(),
  cluster: z.string(),
  placementStrategyId: z.string().nullable(),
  runtime: z.enum(RUNTIME_IDS),
  replicas: z.number().int(),
  readyReplicas: z.number().int(),
  resourceProfileId: z.string().nullable(),
  optimizationPresetId: z.string().nullable(),
  optimization: optimizationSchema,
  status: z.enum(DEPLOYMENT_STATUSES),
  statusSource: z.enum(STATUS_SOURCES),
  statusReason: z.string().nullable(),
  statusMessage: z.string(),
  observedAt: z.string().nullable(),
  /** Base URLs of the OpenAI APIs of ready replicas. */
  endpoints: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Deployment = z.infer<typeof deploymentSchema>;
