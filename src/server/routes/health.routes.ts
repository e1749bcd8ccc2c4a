import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { DatabaseHandle } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import type { ZodApp } from './route-types.js';

export function registerHealthRoutes(app: ZodApp, deps: { database: DatabaseHandle; metrics: Registry; isShuttingDown: () => boolean }): void {
  app.get('/healthz', {
    schema: { tags: ['health'], summary: 'Liveness: the process answers.', response: { 200: z.object({ status: z.literal('ok') }) } },
    config: { access: 'public' },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/readyz', {
    schema: {
      tags: ['health'],
      summary: 'Readiness: the database answers and the server is not shutting down.',
      response: { 200: z.object({ status: z.literal('ready'), database: z.enum(['pglite', 'postgres']) }) },
    },
    config: { access: 'public' },
    handler: async () => {
      if (deps.isShuttingDown()) throw new AppError('SHUTTING_DOWN', 'The server is shutting down.', { statusCode: 503 });
      try {
        await deps.database.ping();
      } catch (error) {
        throw new AppError('DATABASE_UNAVAILABLE', 'The database does not answer.', { statusCode: 503, expose: true, cause: error });
      }
      return { status: 'ready' as const, database: deps.database.kind };
    },
  });

  app.get('/metrics', {
    schema: { tags: ['health'], summary: 'Prometheus metrics of this server (text exposition format).', hide: true },
    config: { access: 'public' },
    handler: async (_request, reply) => {
      reply.type(deps.metrics.contentType);
      return deps.metrics.metrics();
    },
  });
}
