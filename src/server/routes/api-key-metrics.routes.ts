import { z } from 'zod';
import { apiKeyMetricsQuerySchema, apiKeyMetricsSchema } from '../../domain/monitoring.js';
import type { ApiKeyMetricsService } from '../../services/monitoring/api-key-metrics-service.js';
import { actorOf } from './api-key.routes.js';
import type { ZodApp } from './route-types.js';

const idParams = z.object({ id: z.uuid('The id must be a UUID.') }).strict();

/** What one API key did through the gateway (docs/monitoring.md, "Per-key metrics"). */
export function registerApiKeyMetricsRoutes(app: ZodApp, deps: { metrics: ApiKeyMetricsService }): void {
  app.get('/api/api-keys/:id/metrics', {
    schema: {
      tags: ['api-keys', 'monitoring'],
      summary:
        "One API key's traffic through the gateway over range (any count of s/m/h/d, default 1h, at most 30 days: 400 METRICS_RANGE_TOO_LONG): requests, requests/s, errors/s (5xx), latency p50/p95/p99, prompt and completion tokens/s, from Prometheus (the gateway's hmas_inference_key_* series). Its owner or an admin; anyone else gets 404. 503 PROMETHEUS_NOT_CONFIGURED without PROMETHEUS_URL, 503/504 when Prometheus is down or slow.",
      params: idParams,
      querystring: apiKeyMetricsQuerySchema,
      response: { 200: apiKeyMetricsSchema },
    },
    config: { access: 'viewer' },
    handler: async (request) => deps.metrics.metrics(actorOf(request), request.params.id, request.query),
  });
}
