import { apiErrorSchema } from '../domain/api-error.js';
import type { ZodApp } from './routes/route-types.js';

/** Documents the error envelope on every /api route, so OpenAPI clients know the shape. */
export function installErrorResponseDocs(app: ZodApp): void {
  app.addHook('onRoute', (route) => {
    if (!route.url?.startsWith('/api/') || !route.schema || route.schema.hide) return;
    const response = (route.schema.response ?? {}) as Record<string, unknown>;
    route.schema.response = { ...response, '4XX': apiErrorSchema, '5XX': apiErrorSchema };
  });
}
