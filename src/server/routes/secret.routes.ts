import { createSecretSchema, rotateSecretSchema, secretListQuerySchema, secretParamsSchema, secretSchema } from '../../domain/secret.js';
import { pageSchema } from '../../domain/pagination.js';
import type { SecretService } from '../../services/secrets/secret-service.js';
import { principalOf } from '../auth-plugin.js';
import type { ZodApp } from './route-types.js';

const audit = (verb: string) => ({ action: `secret.${verb}`, resourceType: 'secret' });

/**
 * Named secrets for deployment settings. No route answers a value, and audit summaries name the
 * secret only. Who may call what:
 * - every signed-in role lists names and metadata: viewers already see deployment settings,
 *   which name the secrets they use, and a name gives nothing away;
 * - operators (and admins) create, rotate and delete: they are the ones who deploy models that
 *   need tokens, and a value, once set, can never be read back through H-MAS.
 */
export function registerSecretRoutes(app: ZodApp, deps: { secrets: SecretService }): void {
  const { secrets } = deps;

  app.get('/api/secrets', {
    schema: { tags: ['secrets'], summary: 'List secrets: names, descriptions, times and the deployments using each; never values.', querystring: secretListQuerySchema, response: { 200: pageSchema(secretSchema) } },
    config: { access: 'viewer' },
    handler: async (request) => secrets.list(request.query.limit, request.query.offset),
  });

  app.post('/api/secrets', {
    schema: {
      tags: ['secrets'],
      summary: 'Create a secret. The value is stored encrypted with the credential key and never returned; refer to it in settings as { "secretRef": "<name>" }.',
      body: createSecretSchema,
      response: { 201: secretSchema },
    },
    config: { access: 'operator', audit: audit('create') },
    handler: async (request, reply) => {
      request.auditNote.resourceId = request.body.name;
      request.auditNote.summary = `create secret ${request.body.name}`;
      const created = await secrets.create(request.body, principalOf(request).userId);
      request.auditNote.summary = `created secret ${created.name}`;
      return reply.code(201).send(created);
    },
  });

  app.get('/api/secrets/:name', {
    schema: { tags: ['secrets'], summary: 'One secret, without its value.', params: secretParamsSchema, response: { 200: secretSchema } },
    config: { access: 'viewer' },
    handler: async (request) => secrets.get(request.params.name),
  });

  app.post('/api/secrets/:name/rotate', {
    schema: {
      tags: ['secrets'],
      summary: 'Give a secret a new value. Replicas get it when they next start (restart a deployment to apply it at once).',
      params: secretParamsSchema,
      body: rotateSecretSchema,
      response: { 200: secretSchema },
    },
    config: { access: 'operator', audit: audit('rotate') },
    handler: async (request) => {
      request.auditNote.resourceId = request.params.name;
      request.auditNote.summary = `rotate secret ${request.params.name}`;
      const rotated = await secrets.rotate(request.params.name, request.body.value);
      request.auditNote.summary = `rotated secret ${rotated.name}`;
      return rotated;
    },
  });

  app.delete('/api/secrets/:name', {
    schema: { tags: ['secrets'], summary: 'Delete a secret; refused with 409 SECRET_IN_USE while a deployment or preset refers to it.', params: secretParamsSchema },
    config: { access: 'operator', audit: audit('delete') },
    handler: async (request, reply) => {
      request.auditNote.resourceId = request.params.name;
      request.auditNote.summary = `delete secret ${request.params.name}`;
      const removed = await secrets.remove(request.params.name);
      request.auditNote.summary = `deleted secret ${removed.name}`;
      return reply.code(204).send();
    },
  });
}
