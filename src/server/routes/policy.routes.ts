import { z } from 'zod';
import { pageSchema, paginationQuerySchema } from '../../domain/pagination.js';
import { policySchemas, type PolicyKind } from '../../domain/policies.js';
import { POLICY_LABELS, type PolicyService } from '../../services/policies/policy-service.js';
import type { ZodApp } from './route-types.js';

const idParams = z.object({ id: z.uuid('The id must be a UUID.') }).strict();

/** Where each policy kind lives in the API and what the audit log calls it. */
const POLICY_ROUTES: Array<{ kind: PolicyKind; path: string; tag: string }> = [
  { kind: 'resource_profile', path: '/api/resource-profiles', tag: 'resource-profiles' },
  { kind: 'placement_strategy', path: '/api/placement-strategies', tag: 'placement-strategies' },
  { kind: 'failover_policy', path: '/api/failover-policies', tag: 'failover-policies' },
];

export function registerPolicyRoutes(app: ZodApp, deps: { policies: PolicyService }): void {
  for (const { kind, path, tag } of POLICY_ROUTES) registerKind(app, deps.policies, kind, path, tag);
}

function registerKind(app: ZodApp, policies: PolicyService, kind: PolicyKind, path: string, tag: string): void {
  const schemas = policySchemas(kind);
  const label = POLICY_LABELS[kind];
  const audit = (verb: string) => ({ action: `${kind}.${verb}`, resourceType: kind });

  app.get(path, {
    schema: { tags: [tag], summary: `List ${label}s.`, querystring: paginationQuerySchema.strict(), response: { 200: pageSchema(schemas.response) } },
    config: { access: 'viewer' },
    handler: async (request) => policies.list(kind, request.query.limit, request.query.offset) as never,
  });

  app.post(path, {
    schema: { tags: [tag], summary: `Create a ${label}.`, body: schemas.create, response: { 201: schemas.response } },
    config: { access: 'operator', audit: audit('create') },
    handler: async (request, reply) => {
      const created = await policies.create(kind, request.body as never);
      request.auditNote.resourceId = created.id;
      request.auditNote.summary = `created ${label} ${created.name}`;
      return reply.code(201).send(created as never);
    },
  });

  app.get(`${path}/:id`, {
    schema: { tags: [tag], summary: `One ${label}.`, params: idParams, response: { 200: schemas.response } },
    config: { access: 'viewer' },
    handler: async (request) => policies.get(kind, request.params.id) as never,
  });

  app.patch(`${path}/:id`, {
    schema: { tags: [tag], summary: `Change a ${label}.`, params: idParams, body: schemas.update, response: { 200: schemas.response } },
    config: { access: 'operator', audit: audit('update') },
    handler: async (request) => {
      const fields = Object.keys(request.body as object);
      request.auditNote.summary = `changed ${fields.join(', ') || 'nothing'}`;
      const updated = await policies.update(kind, request.params.id, request.body as never);
      request.auditNote.summary = `changed ${label} ${updated.name}: ${fields.join(', ') || 'nothing'}`;
      return updated as never;
    },
  });

  app.delete(`${path}/:id`, {
    schema: { tags: [tag], summary: `Delete a ${label}; refused with 409 POLICY_IN_USE while something uses it.`, params: idParams },
    config: { access: 'operator', audit: audit('delete') },
    handler: async (request, reply) => {
      const removed = await policies.remove(kind, request.params.id);
      request.auditNote.summary = `deleted ${label} ${removed.name}`;
      return reply.code(204).send();
    },
  });
}
