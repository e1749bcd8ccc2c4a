import { z } from 'zod';
import { deploymentMetricsHistoryQuerySchema, deploymentMetricsHistorySchema, deploymentMetricsSnapshotSchema } from '../../domain/monitoring.js';
import type { DeploymentMetricsService } from '../../services/monitoring/deployment-metrics-service.js';
import type { ZodApp } from './route-types.js';

const idParams = z.object({ id: z.uuid('The id must be a UUID.') }).strict();

/** How a deployment serves: a snapshot now and series for charts (docs/monitoring-metrics.md). */
export function registerDeploymentMetricsRoutes(app: ZodApp, deps: { metrics: DeploymentMetricsService }): void {
  app.get('/api/deployments/:id/metrics', {
    schema: {
      tags: ['monitoring'],
      summary:
        "The deployment's serving metrics now (requests/s, tokens/s, TTFT, end-to-end and inter-token latency p50/p95/p99, running and waiting requests, KV-cache usage, errors/s) and the gateway's own numbers for it. From Prometheus when PROMETHEUS_URL is set and it answers, else read live from the replicas' /metrics (source: live); stale with staleReason when a replica or Prometheus did not answer. A value the runtime does not export is null with a reason.",
      params: idParams,
      response: { 200: deploymentMetricsSnapshotSchema },
    },
    config: { access: 'viewer' },
    handler: async (request) => deps.metrics.snapshot(request.params.id),
  });

  app.get('/api/deployments/:id/metrics/history', {
    schema: {
      tags: ['monitoring'],
      summary:
        'Series for charts from Prometheus: range (15m, 1h, 6h, 24h, 7d, or any count of s/m/h/d; default 1h) up to to (default now), or from–to; step (default gives 120–300 points). At most 30 days (400 METRICS_RANGE_TOO_LONG) and 11,000 points per series (400 METRICS_TOO_MANY_POINTS); 503 PROMETHEUS_NOT_CONFIGURED without PROMETHEUS_URL, 503/504 when Prometheus is down or slow.',
      params: idParams,
      querystring: deploymentMetricsHistoryQuerySchema,
      response: { 200: deploymentMetricsHistorySchema },
    },
    config: { access: 'viewer' },
    handler: async (request) => deps.metrics.history(request.params.id, request.query),
  });
}
