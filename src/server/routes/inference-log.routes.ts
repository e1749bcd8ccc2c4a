import { inferenceLogEntrySchema, inferenceLogQuerySchema } from '../../domain/inference-log.js';
import { pageSchema } from '../../domain/pagination.js';
import type { InferenceLogService } from '../../gateway/request-log/inference-log-service.js';
import { principalOf } from '../auth-plugin.js';
import type { ZodApp } from './route-types.js';

export function registerInferenceLogRoutes(app: ZodApp, deps: { inferenceLogs: InferenceLogService }): void {
  app.get('/api/inference-logs', {
    schema: {
      tags: ['gateway'],
      summary: 'Inference request log, newest first, with filters. Viewers see their own requests; operators and admins see all.',
      querystring: inferenceLogQuerySchema,
      response: { 200: pageSchema(inferenceLogEntrySchema) },
    },
    config: { access: 'viewer' },
    handler: async (request) => deps.inferenceLogs.list(request.query, principalOf(request)),
  });
}
