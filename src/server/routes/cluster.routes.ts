import { z } from 'zod';
import {
  agentTokenResponseSchema,
  clusterNameSchema,
  clusterSchema,
  clusterWithTokenSchema,
  connectionTestReportSchema,
  createClusterSchema,
  testConnectionSchema,
  updateClusterSchema,
} from '../../domain/cluster.js';
import { pageSchema, paginationQuerySchema } from '../../domain/pagination.js';
import { roleAtLeast } from '../../domain/roles.js';
import { ForbiddenError } from '../../lib/errors.js';
import type { ClusterService } from '../../services/clusters/cluster-service.js';
import { principalOf } from '../auth-plugin.js';
import type { ZodApp } from './route-types.js';

const nameParams = z.object({ name: clusterNameSchema }).strict();
const audit = (verb: string) => ({ action: `cluster.${verb}`, resourceType: 'cluster' });

/**
 * Clusters: registration, connection tests, agent tokens. Credentials go in, never out.
 * Whatever makes H-MAS dial a connection (register, test, change the connection) is for admins:
 * it sends credentials to whatever URL the caller names, from inside the control plane's network.
 */
export function registerClusterRoutes(app: ZodApp, deps: { clusters: ClusterService }): void {
  const { clusters } = deps;

  app.get('/api/clusters', {
    schema: { tags: ['clusters'], summary: 'List clusters with readiness and GPU inventory.', querystring: paginationQuerySchema.strict(), response: { 200: pageSchema(clusterSchema) } },
    config: { access: 'viewer' },
    handler: async (request) => clusters.list(request.query.limit, request.query.offset),
  });

  app.post('/api/clusters', {
    schema: {
      tags: ['clusters'],
      summary: 'Register a cluster. For an agent connection the answer carries the agent token, this once.',
      body: createClusterSchema,
      response: { 201: clusterWithTokenSchema },
    },
    config: { access: 'admin', audit: audit('create') },
    handler: async (request, reply) => {
      const body = request.body;
      request.auditNote.resourceId = body.name;
      const created = await clusters.create(body);
      request.auditNote.summary = `registered cluster ${created.name} (${created.connection.kind}, ${created.type}, scheduler ${created.scheduler})`;
      return reply.code(201).send(created);
    },
  });

  app.post('/api/clusters/test', {
    schema: {
      tags: ['clusters'],
      summary: 'Test a connection before saving it. Stores nothing; an unreachable cluster is ok:false, not an error.',
      body: testConnectionSchema,
      response: { 200: connectionTestReportSchema },
    },
    config: { access: 'admin', audit: audit('test') },
    handler: async (request) => {
      const { target, ...report } = await clusters.testConnection(request.body.connection);
      request.auditNote.summary = `tested a ${target} before saving: ${report.ok ? 'ok' : 'failed'}`;
      return report;
    },
  });

  app.get('/api/clusters/:name', {
    schema: { tags: ['clusters'], summary: 'One cluster.', params: nameParams, response: { 200: clusterSchema } },
    config: { access: 'viewer' },
    handler: async (request) => clusters.get(request.params.name),
  });

  app.patch('/api/clusters/:name', {
    schema: {
      tags: ['clusters'],
      summary: 'Change a cluster (operator; the connection: admin). A connection change resets the last test; other fields (labels included) are kept.',
      params: nameParams,
      body: updateClusterSchema,
      response: { 200: clusterWithTokenSchema },
    },
    config: { access: 'operator', audit: audit('update') },
    handler: async (request) => {
      const { name } = request.params;
      const fields = Object.keys(request.body);
      request.auditNote.resourceId = name;
      request.auditNote.summary = `change cluster ${name}: ${fields.join(', ') || 'nothing'}`;
      const { role } = principalOf(request);
      if (request.body.connection && !roleAtLeast(role, 'admin')) {
        throw new ForbiddenError(`Changing the connection of a cluster needs the admin role; you are ${role}. Other fields can be changed without it.`);
      }
      const { connectionChanged, ...updated } = await clusters.update(name, request.body);
      const connectionNote = request.body.connection ? (connectionChanged ? ' (connection changed: last test reset)' : ' (connection unchanged)') : '';
      request.auditNote.summary = `changed cluster ${name}: ${fields.join(', ') || 'nothing'}${connectionNote}`;
      return updated;
    },
  });

  app.delete('/api/clusters/:name', {
    schema: { tags: ['clusters'], summary: 'Remove a cluster from H-MAS (nothing on the cluster is touched).', params: nameParams },
    config: { access: 'operator', audit: audit('delete') },
    handler: async (request, reply) => {
      request.auditNote.resourceId = request.params.name;
      await clusters.remove(request.params.name);
      request.auditNote.summary = `removed cluster ${request.params.name}`;
      return reply.code(204).send();
    },
  });

  app.post('/api/clusters/:name/test', {
    schema: {
      tags: ['clusters'],
      summary: 'Test a saved cluster now; the result becomes its last test, readiness and inventory.',
      params: nameParams,
      response: { 200: clusterSchema },
    },
    config: { access: 'admin', audit: audit('test') },
    handler: async (request) => {
      request.auditNote.resourceId = request.params.name;
      const cluster = await clusters.test(request.params.name);
      request.auditNote.summary = `tested cluster ${cluster.name}: ${cluster.lastTest?.ok ? 'ok' : 'failed'}`;
      return cluster;
    },
  });

  app.post('/api/clusters/:name/agent-token', {
    schema: {
      tags: ['clusters'],
      summary: 'Rotate the agent token of an agent cluster. The answer carries the new token, this once.',
      params: nameParams,
      response: { 200: agentTokenResponseSchema },
    },
    config: { access: 'admin', audit: audit('agent_token_rotate') },
    handler: async (request) => {
      request.auditNote.resourceId = request.params.name;
      const rotated = await clusters.rotateAgentToken(request.params.name);
      request.auditNote.summary = `rotated the agent token of cluster ${rotated.name}`;
      return rotated;
    },
  });
}
