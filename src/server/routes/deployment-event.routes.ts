import { z } from 'zod';
import { deploymentEventHistoryQuerySchema, deploymentEventRecordSchema } from '../../domain/deployment-event.js';
import { pageSchema } from '../../domain/pagination.js';
import type { DeploymentEventService } from '../../services/deployment-events/deployment-event-service.js';
import type { ZodApp } from './route-types.js';

const idParams = z.object({ id: z.uuid('The id must be a UUID.') }).strict();

/** The events history of a deployment (the live events are `GET /api/deployments/:id/events`). */
export function registerDeploymentEventRoutes(app: ZodApp, deps: { events: DeploymentEventService }): void {
  app.get('/api/deployments/:id/events/history', {
    schema: {
      tags: ['deployments'],
      summary:
        "Events of the deployment's workload kept in the database (copied from the cluster every minute, kept HMAS_EVENT_RETENTION_DAYS), last seen first, filtered by type and by last occurrence. A deleted deployment's events stay readable until then.",
      params: idParams,
      querystring: deploymentEventHistoryQuerySchema,
      response: { 200: pageSchema(deploymentEventRecordSchema) },
    },
    config: { access: 'viewer' },
    handler: async (request) => deps.events.history(request.params.id, request.query),
  });
}
