import type { Registry } from 'prom-client';
import { z } from 'zod';
import { DATABASE_RETRY_AFTER_SECONDS, databaseUnreachableReason } from '../../lib/pg-errors.js';
import type { ZodApp } from './route-types.js';

/** What readiness needs of the database handle (routes never import db/). */
export interface PingableDatabase {
  readonly kind: 'pglite' | 'postgres';
  ping(): Promise<unknown>;
}

export function registerHealthRoutes(app: ZodApp, deps: { database: PingableDatabase; metrics: Registry; isShuttingDown: () => boolean }): void {
  app.get('/healthz', {
    schema: { tags: ['health'], summary: 'Liveness: the process answers.', response: { 200: z.object({ status: z.literal('ok') }) } },
    config: { access: 'public' },
    handler: async () => ({ status: 'ok' as const }),
  });

  const notReady = z.object({ status: z.literal('not ready'), checks: z.record(z.string(), z.string()) });
  app.get('/readyz', {
    schema: {
      tags: ['health'],
      summary: 'Readiness: the database answers and the server is not shutting down (503 says which is not).',
      response: { 200: z.object({ status: z.literal('ready'), database: z.enum(['pglite', 'postgres']) }), 503: notReady },
    },
    config: { access: 'public' },
    handler: async (_request, reply) => {
      // Load balancers read the status; people read why (no addresses: this route is public).
      const unready = (checks: Record<string, string>) => reply.code(503).header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS)).send({ status: 'not ready' as const, checks });
      if (deps.isShuttingDown()) return unready({ server: 'shutting down' });
      try {
        await deps.database.ping();
      } catch (error) {
        return unready({ database: `unreachable: ${databaseUnreachableReason(error) ?? 'the database does not answer'}` });
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
