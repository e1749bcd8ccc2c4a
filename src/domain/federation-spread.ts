import { z } from 'zod';
import { dns1123LabelSchema } from './cluster.js';

/**
 * How a placement strategy spreads a deployment over the member clusters of a Karmada federation
 * cluster: which members, how the replicas are shared out, and what differs per member. The
 * federation driver renders it into a PropagationPolicy and an OverridePolicy
 * (`clusters/federation/federation-placement.ts` holds the same shape with resource profiles
 * resolved into resources).
 */

/** Registry host[:port], as Karmada's imageOverrider takes for the Registry component. */
export const registryHostSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?$/, 'A registry mirror is a host name with an optional port, such as "registry.internal:5000".');

/**
 * - `Divided`: the replicas are shared out over the members (by static weight, or by what each
 *   member can still run with `dynamicWeight`);
 * - `Duplicated`: every member runs all replicas.
 */
export const replicaSchedulingSchema = z.enum(['Divided', 'Duplicated']);
export type ReplicaScheduling = z.infer<typeof replicaSchedulingSchema>;

/** Member list rules shared by the policy's shape and the driver's: at least one, each once. */
export function memberListSchema<T extends z.ZodType<{ name: string }>>(member: T) {
  return z
    .array(member)
    .min(1, 'A federated workload needs at least one member cluster.')
    .max(100)
    .refine((members) => new Set(members.map((entry) => entry.name)).size === members.length, 'Each member cluster may appear once.');
}

export const spreadMemberSchema = z
  .object({
    name: dns1123LabelSchema.describe("The member's name in Karmada (its cluster.karmada.io Cluster)."),
    weight: z.number().int().min(1).max(10_000).optional().describe('Static weight when replicas are divided (default 1).'),
    resourceProfileId: z.uuid().optional().describe("This member's resource profile, when it differs from the deployment's."),
    imageRegistry: registryHostSchema.optional().describe('Pull images from this registry on this member (air-gapped members).'),
  })
  .strict();
export type SpreadMember = z.infer<typeof spreadMemberSchema>;

export const federationSpreadSchema = z
  .object({
    members: memberListSchema(spreadMemberSchema),
    replicaScheduling: replicaSchedulingSchema.default('Divided'),
    dynamicWeight: z.boolean().default(false).describe("Divide by the replicas each member can still run (Karmada's dynamicWeight AvailableReplicas) instead of static weights."),
  })
  .strict();
export type FederationSpread = z.infer<typeof federationSpreadSchema>;
