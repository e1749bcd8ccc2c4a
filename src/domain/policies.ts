import { z } from 'zod';
import { federationSpreadSchema } from './federation-spread.js';

/**
 * Policies an operator registers once and deployments refer to: resource profiles (what one
 * replica gets), placement strategies (where deployments may land) and failover policies (what
 * happens when a cluster is lost). One shape each; stored alike.
 */

// Kubernetes resource quantities: "8", "500m", "32Gi", "1.5T".
const QUANTITY = /^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const quantity = (what: string) =>
  z.string().trim().regex(QUANTITY, `${what} must be a Kubernetes quantity such as "8", "500m", "32Gi".`);

export const policyNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'Use a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit.');

const LABEL_KEY_MESSAGE = 'Not a valid label key: use an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or ".".';
const labelKey = z
  .string()
  .max(316)
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, LABEL_KEY_MESSAGE);
const labelValue = z.string().max(63).regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'Not a valid label value.');

export const resourceProfileSpecSchema = z.object({
  gpuCount: z.number().int().min(0).max(64).describe('GPUs per replica.'),
  gpuType: z.string().trim().min(1).max(120).optional().describe('GPU model the replica needs, e.g. "NVIDIA-H100-80GB-HBM3"; unset = any.'),
  gpuMemoryGiB: z.number().positive().max(1024).optional().describe('Memory per GPU the replica expects, for fit checks.'),
  cpu: quantity('cpu').describe('CPU request per replica.'),
  memory: quantity('memory').describe('Memory request per replica.'),
  volumeSize: quantity('volumeSize').optional().describe('Model cache volume size.'),
});

export const placementStrategySpecSchema = z.object({
  matchLabels: z.record(labelKey, labelValue, { error: (issue) => (issue.code === 'invalid_key' ? LABEL_KEY_MESSAGE : undefined) }).default({}).describe('Clusters must carry all of these labels.'),
  clusterTypes: z.array(z.enum(['HP', 'GP'])).max(2).default([]).describe('Allowed cluster types; empty = any.'),
  clusterNames: z.array(policyNameSchema).max(100).default([]).describe('Allowed clusters by name; empty = any.'),
  minFreeGpus: z.number().int().min(0).max(4096).default(0).describe('Clusters need at least this many free GPUs.'),
  preference: z.enum(['most-free-gpus', 'least-free-gpus']).default('most-free-gpus').describe('Spread (most free) or pack (least free that still fits).'),
  failoverPolicyId: z.uuid().nullable().default(null).describe('What to do when the chosen cluster is lost.'),
  federation: federationSpreadSchema
    .nullable()
    .default(null)
    .describe("Karmada federation clusters only: the member clusters the deployment propagates to and how its replicas are spread. A strategy with it places only on federation clusters; null: the federation cluster's own member runs every replica."),
});

export const failoverPolicySpecSchema = z.object({
  action: z.enum(['keep', 're-place']).describe('keep: wait for the cluster to return; re-place: move the deployment to another cluster.'),
  gracePeriodSeconds: z.number().int().min(0).max(7 * 24 * 3600).default(300).describe('How long a cluster may be unreachable before acting.'),
});

export const POLICY_KINDS = ['resource_profile', 'placement_strategy', 'failover_policy'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export const POLICY_SPECS = {
  resource_profile: resourceProfileSpecSchema,
  placement_strategy: placementStrategySpecSchema,
  failover_policy: failoverPolicySpecSchema,
} as const;

const policyMeta = {
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

/** Create body, update body and response of one kind. */
export function policySchemas<K extends PolicyKind>(kind: K) {
  const spec = POLICY_SPECS[kind];
  return {
    create: spec.extend({ name: policyNameSchema, description: z.string().trim().max(500).default('') }).strict(),
    // Partial without defaults: a PATCH changes only what it names; null clears an optional setting.
    update: z
      .object({ name: policyNameSchema, description: z.string().trim().max(500) })
      .extend(Object.fromEntries(Object.entries(spec.shape).map(([key, field]) => [key, patchField(field)])) as typeof spec.shape)
      .partial()
      .strict(),
    response: spec.extend(policyMeta),
  };
}

function patchField(field: z.ZodType): z.ZodType {
  if (field instanceof z.ZodDefault) return field.unwrap() as z.ZodType;
  if (field instanceof z.ZodOptional) return field.nullable();
  return field;
}

/** What every stored policy has besides its spec. */
export interface PolicyMeta {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}
export type ResourceProfile = z.infer<typeof resourceProfileSpecSchema> & PolicyMeta;
export type PlacementStrategy = z.infer<typeof placementStrategySpecSchema> & PolicyMeta;
export type FailoverPolicy = z.infer<typeof failoverPolicySpecSchema> & PolicyMeta;
