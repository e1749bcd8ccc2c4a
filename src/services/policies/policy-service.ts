import { randomUUID } from 'node:crypto';
import { POLICY_KINDS, POLICY_SPECS, type PolicyKind } from '../../domain/policies.js';
import type { FederationSpread } from '../../domain/federation-spread.js';
import type { Page } from '../../domain/pagination.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { hasPgCode, isStillReferenced, PG_UNIQUE_VIOLATION } from '../../lib/pg-errors.js';
import type { PolicyRepo, PolicyRow } from './policy-repo.js';

export const POLICY_LABELS: Record<PolicyKind, string> = {
  resource_profile: 'resource profile',
  placement_strategy: 'placement strategy',
  failover_policy: 'failover policy',
};

export interface PolicyView {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
  [setting: string]: unknown;
}

/**
 * Something outside this service that may refer to a policy (deployments, later). Returns
 * human-readable names of the users, or an empty list.
 */
export type PolicyUsageCheck = (kind: PolicyKind, id: string) => Promise<string[]>;

function toView(row: PolicyRow): PolicyView {
  return {
    ...row.spec,
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function createPolicyService(deps: { repo: PolicyRepo; usageChecks?: PolicyUsageCheck[] }) {
  const { repo } = deps;
  const usageChecks: PolicyUsageCheck[] = [
    async (kind, id) => (kind === 'placement_strategy' ? [] : (await repo.placementStrategiesUsing(id)).map((name) => `placement strategy "${name}"`)),
    ...(deps.usageChecks ?? []),
  ];

  async function requireRow(kind: PolicyKind, id: string): Promise<PolicyRow> {
    const row = await repo.find(kind, id);
    if (!row) throw new NotFoundError(POLICY_LABELS[kind], id);
    return row;
  }

  /** Cross-references inside specs must point at existing policies of the right kind. */
  async function checkReferences(spec: Record<string, unknown>): Promise<void> {
    const failoverPolicyId = spec.failoverPolicyId;
    if (typeof failoverPolicyId === 'string' && !(await repo.find('failover_policy', failoverPolicyId))) {
      throw new ValidationError(`No failover policy with id "${failoverPolicyId}".`, { issues: [{ path: '/failoverPolicyId', message: 'unknown failover policy' }] });
    }
    const members = (spec.federation as FederationSpread | null | undefined)?.members ?? [];
    for (const [index, member] of members.entries()) {
      if (member.resourceProfileId && !(await repo.find('resource_profile', member.resourceProfileId))) {
        throw new ValidationError(`No resource profile with id "${member.resourceProfileId}" (federation member "${member.name}").`, {
          issues: [{ path: `/federation/members/${index}/resourceProfileId`, message: 'unknown resource profile' }],
        });
      }
    }
  }

  function duplicate(kind: PolicyKind, name: string, error: unknown): never {
    if (hasPgCode(error, PG_UNIQUE_VIOLATION)) {
      throw new ConflictError('POLICY_NAME_TAKEN', `A ${POLICY_LABELS[kind]} named "${name}" already exists.`);
    }
    throw error;
  }

  return {
    kinds: POLICY_KINDS,

    async get(kind: PolicyKind, id: string): Promise<PolicyView> {
      return toView(await requireRow(kind, id));
    },

    async list(kind: PolicyKind, limit: number, offset: number): Promise<Page<PolicyView>> {
      const { rows, total } = await repo.list(kind, limit, offset);
      return { items: rows.map(toView), total, limit, offset };
    },

    async create(kind: PolicyKind, input: { name: string; description: string } & Record<string, unknown>): Promise<PolicyView> {
      const { name, description, ...spec } = input;
      await checkReferences(spec);
      try {
        return toView(await repo.insert({ id: randomUUID(), kind, name, description, spec }));
      } catch (error) {
        return duplicate(kind, name, error);
      }
    },

    async update(kind: PolicyKind, id: string, input: { name?: string; description?: string } & Record<string, unknown>): Promise<PolicyView> {
      const current = await requireRow(kind, id);
      const { name, description, ...changes } = input;
      // The merged settings must still make a valid whole; null clears an optional setting.
      const merged = Object.fromEntries(Object.entries({ ...current.spec, ...changes }).filter(([, value]) => value !== null));
      const spec = POLICY_SPECS[kind].parse(merged) as Record<string, unknown>;
      await checkReferences(spec);
      try {
        const row = await repo.update(kind, id, {
          spec,
          ...(name !== undefined ? { name } : {}),
          ...(description !== undefined ? { description } : {}),
        });
        if (!row) throw new NotFoundError(POLICY_LABELS[kind], id);
        return toView(row);
      } catch (error) {
        return duplicate(kind, name ?? current.name, error);
      }
    },

    async remove(kind: PolicyKind, id: string): Promise<PolicyView> {
      const row = await requireRow(kind, id);
      const users = (await Promise.all(usageChecks.map((check) => check(kind, id)))).flat();
      if (users.length > 0) {
        throw new ConflictError('POLICY_IN_USE', `The ${POLICY_LABELS[kind]} "${row.name}" is in use by ${users.slice(0, 5).join(', ')}${users.length > 5 ? ` and ${users.length - 5} more` : ''}.`, { usedBy: users });
      }
      try {
        await repo.remove(kind, id);
      } catch (error) {
        // A table added later may hold a foreign key to policies: the database has the last word.
        if (isStillReferenced(error)) throw new ConflictError('POLICY_IN_USE', `The ${POLICY_LABELS[kind]} "${row.name}" is in use.`);
        throw error;
      }
      return toView(row);
    },
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
