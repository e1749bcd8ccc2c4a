import { z } from 'zod';
import { apiKeySchema, createApiKeySchema, createdApiKeySchema, listApiKeysQuerySchema, updateApiKeySchema } from '../../domain/api-key.js';
import { pageSchema } from '../../domain/pagination.js';
import type { ApiKeyActor, ApiKeyService } from '../../services/api-keys/api-key-service.js';
import { principalOf } from '../auth-plugin.js';
import type { FastifyRequest } from 'fastify';
import type { ZodApp } from './route-types.js';

const idParams = z.object({ id: z.uuid('The id must be a UUID.') }).strict();
const audit = (verb: string) => ({ action: `api_key.${verb}`, resourceType: 'api_key' });

/** The signed-in principal as the API-key service sees it. */
export const actorOf = (request: FastifyRequest): ApiKeyActor => {
  const { userId, username, role } = principalOf(request);
  return { userId, username, role };
};

/**
 * API keys for the inference gateway. Every signed-in user manages their own keys; admins
 * see and change everyone's. Someone else's key answers 404, as if it did not exist. The
 * plain key appears in exactly one answer: the create. It never goes into audit entries.
 */
export function registerApiKeyRoutes(app: ZodApp, deps: { apiKeys: ApiKeyService }): void {
  const { apiKeys } = deps;

  app.post('/api/api-keys', {
    schema: {
      tags: ['api-keys'],
      summary: 'Create an API key for yourself. The answer carries the plain key, this once; only its SHA-256 is kept.',
      body: createApiKeySchema,
      response: { 201: createdApiKeySchema },
    },
    config: { access: 'viewer', audit: audit('create') },
    handler: async (request, reply) => {
      const created = await apiKeys.create(actorOf(request), request.body);
      request.auditNote.resourceId = created.id;
      request.auditNote.summary = `created API key "${created.name}" (${created.keyPrefix}…)`;
      return reply.code(201).send(created);
    },
  });

  app.get('/api/api-keys', {
    schema: {
      tags: ['api-keys'],
      summary: "List API keys, newest first, revoked ones included. Yours; admins see everyone's (filter with userId).",
      querystring: listApiKeysQuerySchema,
      response: { 200: pageSchema(apiKeySchema) },
    },
    config: { access: 'viewer' },
    handler: async (request) => apiKeys.list(actorOf(request), request.query),
  });

  app.get('/api/api-keys/:id', {
    schema: { tags: ['api-keys'], summary: 'One API key (never the key itself).', params: idParams, response: { 200: apiKeySchema } },
    config: { access: 'viewer' },
    handler: async (request) => apiKeys.get(actorOf(request), request.params.id),
  });

  app.patch('/api/api-keys/:id', {
    schema: {
      tags: ['api-keys'],
      summary: 'Change an API key: name, expiry, allowed deployments, RPM/TPM (null = inherit), active. Applies to the next request.',
      params: idParams,
      body: updateApiKeySchema,
      response: { 200: apiKeySchema },
    },
    config: { access: 'viewer', audit: audit('update') },
    handler: async (request) => {
      const { id } = request.params;
      const changed = Object.entries(request.body).map(([field, value]) => `${field}=${Array.isArray(value) ? `[${value.join(',')}]` : String(value)}`);
      request.auditNote.resourceId = id;
      request.auditNote.summary = `change API key: ${changed.join(', ') || 'nothing'}`;
      const updated = await apiKeys.update(actorOf(request), id, request.body);
      request.auditNote.summary = `changed API key "${updated.name}" (${updated.keyPrefix}…): ${changed.join(', ') || 'nothing'}`;
      return updated;
    },
  });

  app.delete('/api/api-keys/:id', {
    schema: {
      tags: ['api-keys'],
      summary: 'Revoke an API key for good. It stays listed as revoked; revoking again changes nothing.',
      params: idParams,
      response: { 200: apiKeySchema },
    },
    config: { access: 'viewer', audit: audit('revoke') },
    handler: async (request) => {
      request.auditNote.resourceId = request.params.id;
      const { apiKey, alreadyRevoked } = await apiKeys.revoke(actorOf(request), request.params.id);
      request.auditNote.summary = `${alreadyRevoked ? 'revoked again (no change)' : 'revoked'} API key "${apiKey.name}" (${apiKey.keyPrefix}…)`;
      return apiKey;
    },
  });
}
