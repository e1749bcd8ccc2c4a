import { z } from 'zod';
import { deploymentSchema, dryRunQuerySchema } from '../../domain/deployment.js';
import { pageSchema } from '../../domain/pagination.js';
import { configHistoryDetailSchema, configHistoryEntrySchema, configHistoryQuerySchema, rolloutListQuerySchema, rolloutSchema, rolloutWithProgressSchema } from '../../domain/rollout.js';
import type { RolloutService } from '../../services/deployments/rollout-service.js';
import { principalOf } from '../auth-plugin.js';
import { dryRunAnswerSchema } from './deployment.routes.js';
import type { ZodApp } from './route-types.js';

const idParams = z.object({ id: z.uuid('The id must be a UUID.') }).strict();
const historyParams = z.object({ id: z.uuid('The id must be a UUID.'), historyId: z.uuid('The history id must be a UUID.') }).strict();
const rollbackAudit = { action: 'deployment.rollback', resourceType: 'deployment' };

/** Rollouts of a deployment and its config history: reads for viewers, rollbacks for whoever may PATCH it. */
export function registerRolloutRoutes(app: ZodApp, deps: { rollouts: RolloutService }): void {
  const { rollouts } = deps;

  app.get('/api/deployments/:id/rollout', {
    schema: {
      tags: ['deployments'],
      summary: 'The rollout in progress, else the last one, with progress read live from the cluster (desired / updated / ready / old replicas; null when the cluster does not answer). 404 ROLLOUT_NOT_FOUND before the first change that restarts replicas.',
      params: idParams,
      response: { 200: rolloutWithProgressSchema },
    },
    config: { access: 'viewer' },
    handler: async (request) => rollouts.current(request.params.id),
  });

  app.get('/api/deployments/:id/rollouts', {
    schema: {
      tags: ['deployments'],
      summary: 'Rollouts of a deployment, newest first: each change that restarted replicas, with the settings before it and how it ended.',
      params: idParams,
      querystring: rolloutListQuerySchema,
      response: { 200: pageSchema(rolloutSchema) },
    },
    config: { access: 'viewer' },
    handler: async (request) => rollouts.list(request.params.id, request.query),
  });

  app.post('/api/deployments/:id/rollout/rollback', {
    schema: {
      tags: ['deployments'],
      summary:
        'Roll back to the settings before the current (or last) rollout, through the same path as PATCH (it starts a rollout of its own). 409 DEPLOYMENT_PAUSED while paused, ROLLOUT_IN_PROGRESS while a rollback runs, NOTHING_TO_ROLL_BACK when there is no earlier spec.',
      params: idParams,
      response: { 200: deploymentSchema },
    },
    config: { access: 'operator', audit: rollbackAudit },
    handler: async (request) => {
      const principal = principalOf(request);
      const answer = await rollouts.rollback(request.params.id, { userId: principal.userId, role: principal.role });
      request.auditNote.summary = `rolled back ${answer.name} to the settings before its last rollout`;
      return answer;
    },
  });

  app.get('/api/deployments/:id/config-history', {
    schema: {
      tags: ['deployments'],
      summary: 'Every change of the deployment\'s settings, newest first: before / after, cause (manual, preset, rollback, auto_tuning), who, result (applied, rolled_back, failed) and its rollout.',
      params: idParams,
      querystring: configHistoryQuerySchema,
      response: { 200: pageSchema(configHistoryEntrySchema) },
    },
    config: { access: 'viewer' },
    handler: async (request) => rollouts.history(request.params.id, request.query),
  });

  app.get('/api/deployments/:id/config-history/:historyId', {
    schema: {
      tags: ['deployments'],
      summary: 'One config history entry with its diff, leaf by leaf (path, before, after). 404 for an entry of another deployment.',
      params: historyParams,
      response: { 200: configHistoryDetailSchema },
    },
    config: { access: 'viewer' },
    handler: async (request) => rollouts.historyEntry(request.params.id, request.params.historyId),
  });

  app.post('/api/deployments/:id/config-history/:historyId/rollback', {
    schema: {
      tags: ['deployments'],
      summary:
        'Back to the settings this history entry left the deployment with, through the same path as PATCH. ?dryRun=true answers as PATCH\'s dry run (restart, strategy, fit, diff), changes nothing and is not audited. 409 DEPLOYMENT_PAUSED while paused, ROLLOUT_IN_PROGRESS while a rollback runs.',
      params: historyParams,
      querystring: dryRunQuerySchema,
      response: { 200: z.union([deploymentSchema, dryRunAnswerSchema]) },
    },
    config: { access: 'operator', audit: rollbackAudit },
    handler: async (request) => {
      const principal = principalOf(request);
      const answer = await rollouts.rollbackToHistory(request.params.id, request.params.historyId, { dryRun: request.query.dryRun, userId: principal.userId, role: principal.role });
      if ('dryRun' in answer) request.auditNote.notAChange = true;
      else request.auditNote.summary = `rolled back ${answer.name} to config history entry ${request.params.historyId}`;
      return answer;
    },
  });
}
