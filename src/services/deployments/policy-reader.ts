import { z } from 'zod';
import { failoverPolicySpecSchema, placementStrategySpecSchema, resourceProfileSpecSchema } from '../../domain/policies.js';
import { AppError } from '../../lib/errors.js';

export type ResourceProfileSpec = z.infer<typeof resourceProfileSpecSchema>;
export type PlacementStrategySpec = z.infer<typeof placementStrategySpecSchema> & { name: string };
export type FailoverPolicySpec = z.infer<typeof failoverPolicySpecSchema> & { name: string };

const placementStrategyView = placementStrategySpecSchema.extend({ name: z.string() });
const failoverPolicyView = failoverPolicySpecSchema.extend({ name: z.string() });

/**
 * The policies a deployment refers to, typed: each stored policy is parsed with its kind's
 * schema (validated when it was written; a row that no longer parses is a 409 in words).
 */
export function createPolicyReader(policies: { get(kind: 'resource_profile' | 'placement_strategy' | 'failover_policy', id: string): Promise<Record<string, unknown>> }) {
  function parsed<T>(schema: z.ZodType<T>, kind: string, id: string, view: Record<string, unknown>): T {
    const result = schema.safeParse(view);
    if (result.success) return result.data;
    throw new AppError('POLICY_UNREADABLE', `The stored ${kind} ${id} does not have the shape H-MAS expects; save it again.`, { statusCode: 409 });
  }
  return {
    async resourceProfile(id: string | null | undefined): Promise<ResourceProfileSpec | null> {
      if (!id) return null;
      return parsed(resourceProfileSpecSchema, 'resource profile', id, await policies.get('resource_profile', id));
    },
    async placementStrategy(id: string): Promise<PlacementStrategySpec> {
      return parsed(placementStrategyView, 'placement strategy', id, await policies.get('placement_strategy', id));
    },
    async failoverPolicy(id: string): Promise<FailoverPolicySpec> {
      return parsed(failoverPolicyView, 'failover policy', id, await policies.get('failover_policy', id));
    },
  };
}

export type PolicyReader = ReturnType<typeof createPolicyReader>;
