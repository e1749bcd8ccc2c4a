import { Readable } from 'node:stream';
import { z } from 'zod';
import { createDeploymentSchema, deploymentListQuerySchema, deploymentSchema, dryRunQuerySchema, resumeDeploymentSchema, updateDeploymentSchema } from '../../domain/deployment.js';
import { pageSchema } from '../../domain/pagination.js';
import { replicaLogsSchema, workloadEventSchema } from '../../domain/workload.js';
import type { DeploymentService } from '../../services/deployments/deployment-service.js';
import { principalOf } from '../auth-plugin.js';
import type { ZodApp } from './route-types.js';

const idParams = z.object({ id: z.uuid('The id must be a UUID.') }).strict();

export const dryRunAnswerSchema = z.object({
  dryRun: z.literal(true),
  restartRequired: z.boolean(),
  strategy: z.enum(['RollingUpdate', 'Recreate']),
  reason: z.string(),
  impact: z.string(),
  fit: z.object({
    fits: z.boolean(),
    gpusPerReplica: z.number(),
    replicas: z.number(),
    gpusRequired: z.number(),
    freeGpus: z.number(),
    placeableReplicas: z.number(),
    message: z.string(),
  }),
  diff: z.array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() })),
  warnings: z.array(z.object({ path: z.string(), message: z.string() })),
});

export function registerDeploymentRoutes(app: ZodApp, deps: { deployments: DeploymentService }): void {
  const { deployments } = deps;
  const audit = (verb: string) => ({ action: `deployment.${verb}`, resourceType: 'deployment' });

  app.get('/api/deployments', {
    schema: {
      tags: ['deployments'],
      summary: 'List deployments. Status is read live from each cluster in parallel (2 s each); a cluster that does not answer gives the saved status (statusSource: cached).',
      querystring: deploymentListQuerySchema,
      response: { 200: pageSchema(deploymentSchema) },
    },
    config: { access: 'viewer' },
    handler: async (request) => deployments.list(request.query),
  });

  app.post('/api/deployments', {
    schema: {
      tags: ['deployments'],
      summary: 'Deploy a model on a cluster (or where a placement strategy chooses). 409 INSUFFICIENT_GPU when it cannot fit.',
      body: createDeploymentSchema,
      response: { 201: deploymentSchema },
    },
    config: { access: 'operator', audit: audit('create') },
    handler: async (request, reply) => {
      request.auditNote.summary = `deploy ${request.body.name} (${request.body.runtime}, ${request.body.replicas} replica(s))`;
      const created = await deployments.create(request.body, principalOf(request).userId, { role: principalOf(request).role });
      request.auditNote.resourceId = created.id;
      request.auditNote.summary = `deployed ${created.name}: model ${created.modelName} on ${created.cluster} with ${created.runtime}, ${created.replicas} replica(s)`;
      return reply.code(201).send(created);
    },
  });

  app.get('/api/deployments/:id', {
    schema: { tags: ['deployments'], summary: 'One deployment, with live status (5 s deadline, else cached).', params: idParams, response: { 200: deploymentSchema } },
    config: { access: 'viewer' },
    handler: async (request) => deployments.get(request.params.id),
  });

  app.patch('/api/deployments/:id', {
    schema: {
      tags: ['deployments'],
      summary: 'Change replicas, optimization, optimization preset (optimizationPresetId: its settings with optimization on top, recorded with cause preset) or resource profile in place; a change that restarts replicas starts a rollout, and every change is recorded in the config history. ?dryRun=true answers restartRequired, strategy, fit and diff, changes nothing and is not audited. 400 DEPLOYMENT_PAUSED while paused.',
      params: idParams,
      querystring: dryRunQuerySchema,
      body: updateDeploymentSchema,
      response: { 200: z.union([deploymentSchema, dryRunAnswerSchema]) },
    },
    config: { access: 'operator', audit: audit('update') },
    handler: async (request) => {
      const fields = Object.keys(request.body).join(', ');
      request.auditNote.summary = `${request.query.dryRun ? 'dry run of ' : ''}change ${fields}`;
      const principal = principalOf(request);
      const answer = await deployments.update(request.params.id, request.body, { dryRun: request.query.dryRun, role: principal.role, change: { cause: 'manual', actorId: principal.userId } });
      if ('dryRun' in answer) request.auditNote.notAChange = true;
      else request.auditNote.summary = `changed ${answer.name}: ${fields}`;
      return answer;
    },
  });

  app.delete('/api/deployments/:id', {
    schema: { tags: ['deployments'], summary: 'Delete a deployment: stops its replicas and forgets it.', params: idParams },
    config: { access: 'operator', audit: audit('delete') },
    handler: async (request, reply) => {
      const removed = await deployments.remove(request.params.id);
      request.auditNote.summary = `deleted ${removed.name}`;
      return reply.code(204).send();
    },
  });

  app.post('/api/deployments/:id/pause', {
    schema: { tags: ['deployments'], summary: 'Pause: scale to 0 replicas, keep everything, so resume is fast.', params: idParams, response: { 200: deploymentSchema } },
    config: { access: 'operator', audit: audit('pause') },
    handler: async (request) => {
      const answer = await deployments.pause(request.params.id);
      request.auditNote.summary = `paused ${answer.name}`;
      return answer;
    },
  });

  app.post('/api/deployments/:id/resume', {
    schema: {
      tags: ['deployments'],
      summary:
        'Resume a paused deployment. An optional body with the fields of PATCH (replicas, resourceProfileId, optimization, optimizationPresetId) starts the replicas with those settings, checked and recorded as PATCH does (config history, rollout); a body that changes nothing is a plain resume.',
      params: idParams,
      body: resumeDeploymentSchema,
      response: { 200: deploymentSchema },
    },
    config: { access: 'operator', audit: audit('resume') },
    handler: async (request) => {
      const settings = request.body ?? {};
      const principal = principalOf(request);
      const answer = await deployments.resume(request.params.id, { settings, role: principal.role, actorId: principal.userId });
      const fields = Object.keys(settings).join(', ');
      request.auditNote.summary = `resumed ${answer.name}${fields ? ` with ${fields}` : ''}`;
      return answer;
    },
  });

  app.get('/api/deployments/:id/events', {
    schema: {
      tags: ['deployments'],
      summary: 'Recent events of the workload and its replicas, from the cluster.',
      params: idParams,
      querystring: z.object({ since: z.iso.datetime({ offset: true }).optional() }).strict(),
      response: { 200: z.object({ items: z.array(workloadEventSchema) }) },
    },
    config: { access: 'viewer' },
    handler: async (request) => ({ items: await deployments.events(request.params.id, request.query.since ? new Date(request.query.since) : undefined) }),
  });

  app.get('/api/deployments/:id/logs', {
    schema: {
      tags: ['deployments'],
      summary: "The last lines of each replica's output. follow=true streams them as text (`replica | line`) until the client disconnects.",
      params: idParams,
      querystring: z
        .object({
          tailLines: z.coerce.number().int().min(1).max(5000).default(200),
          replica: z.string().min(1).max(200).optional(),
          follow: z.enum(['true', 'false']).default('false'),
          previous: z
            .enum(['true', 'false'])
            .default('false')
            .describe("The previous run of each container (Kubernetes: after a crash or OOM kill); a host replica's log file already holds every run."),
        })
        .strict(),
      response: { 200: z.union([z.object({ items: z.array(replicaLogsSchema) }), z.string()]) },
    },
    config: { access: 'viewer' },
    handler: async (request, reply) => {
      if (request.query.follow === 'false') {
        return { items: await deployments.logs(request.params.id, request.query.tailLines, request.query.replica, request.query.previous === 'true') };
      }
      const stop = new AbortController();
      request.raw.on('close', () => stop.abort());
      const lines = await deployments.followLogs(request.params.id, request.query.tailLines, stop.signal);
      async function* text() {
        for await (const entry of lines) yield `${entry.replica} | ${entry.line}\n`;
      }
      return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(Readable.from(text()) as never);
    },
  });
}
