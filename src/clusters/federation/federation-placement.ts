import { z } from 'zod';
import { memberListSchema, replicaSchedulingSchema, spreadMemberSchema } from '../../domain/federation-spread.js';
import { workloadResourcesSchema } from '../../domain/workload.js';

/**
 * Where a federated workload goes: the Karmada member clusters (from the deployment's placement
 * strategy, or the federation cluster's own member), how its replicas are spread over them, and
 * what differs per member (resource profile, image registry mirror). Rendered into a
 * PropagationPolicy and an OverridePolicy; never sent to a member directly.
 */

/** A member as the driver takes it: the policy's member with its resource profile resolved into resources. */
export const federationMemberSchema = spreadMemberSchema
  .omit({ resourceProfileId: true })
  .extend({ resources: workloadResourcesSchema.optional().describe("This member's resources, when they differ from the workload's.") })
  .strict();
export type FederationMember = z.infer<typeof federationMemberSchema>;

export const federationPlacementSchema = z
  .object({
    members: memberListSchema(federationMemberSchema),
    replicaScheduling: replicaSchedulingSchema,
    /** Divide by the replicas each member can still run (Karmada's dynamicWeight AvailableReplicas) instead of static weights. */
    dynamicWeight: z.boolean().default(false),
  })
  .strict();
export type FederationPlacement = z.infer<typeof federationPlacementSchema>;

/** One member, all replicas: what a federation cluster without a placement strategy gets. */
export function singleMemberPlacement(member: string): FederationPlacement {
  return { members: [{ name: member }], replicaScheduling: 'Duplicated', dynamicWeight: false };
}

/**
 * The replicas each member should run for `total`, as far as H-MAS can tell without Karmada's
 * scheduler: all of them each when duplicated; by static weight when divided (the floor of each
 * share, then one more to the members with the largest weights, ties by name). Karmada's scheduler
 * has the last word (it may place the remainder elsewhere, and dynamic weights depend on what the
 * members can run): this is what a dual update writes to a member so a change is not held up by
 * propagation; Karmada then brings the member to its own result. Pure.
 */
export function memberReplicas(placement: FederationPlacement, total: number): Map<string, number> {
  const shares = new Map<string, number>();
  if (placement.replicaScheduling === 'Duplicated') {
    for (const member of placement.members) shares.set(member.name, total);
    return shares;
  }
  const weightOf = (member: FederationMember) => (placement.dynamicWeight ? 1 : (member.weight ?? 1));
  const sum = placement.members.reduce((acc, member) => acc + weightOf(member), 0);
  let left = total;
  for (const member of placement.members) {
    const share = Math.floor((total * weightOf(member)) / sum);
    shares.set(member.name, share);
    left -= share;
  }
  const order = [...placement.members].sort((a, b) => weightOf(b) - weightOf(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let index = 0; left > 0; index = (index + 1) % order.length, left -= 1) {
    const name = (order[index] as FederationMember).name;
    shares.set(name, (shares.get(name) ?? 0) + 1);
  }
  return shares;
}
