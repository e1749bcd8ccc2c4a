import { z } from 'zod';
import { deploymentFailoverSchema } from '../../domain/failover.js';
import { pageSchema, paginationQuerySchema } from '../../domain/pagination.js';
import type { DeploymentFailoverService } from '../../services/deployments/deployment-failover.js';
import type { ZodApp } from './route-types.js';

const idParams = z.object({ id: z.uuid('The id must be a UUID.') }).strict();

export function registerDeploymentFailoverRoutes(app: ZodApp, deps: { failover: Pick<DeploymentFailoverService, 'list'> }): void {
  app.get('/api/deployments/:id/failovers', {
    schema: {
      tags: ['deployments'],
      summary: "The deployment's failovers (moves off a lost cluster by its placement strategy's failover policy), newest first. 404 DEPLOYMENT_NOT_FOUND.",
      params: idParams,
      querystring: paginationQuerySchema.strict(),
      response: { 200: pageSchema(deploymentFailoverSchema) },
    },
    config: { access: 'viewer' },
    handler: async (request) => deps.failover.list(request.params.id, request.query.limit, request.query.offset),
  });
}
