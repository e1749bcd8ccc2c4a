import { metricsSummarySchema } from '../../domain/monitoring.js';
import type { MetricsSummaryService } from '../../services/monitoring/metrics-summary-service.js';
import type { ZodApp } from './route-types.js';

/** The dashboard's totals, running models and GPU heat (docs/monitoring.md, "The dashboard summary"). */
export function registerMetricsSummaryRoutes(app: ZodApp, deps: { summary: MetricsSummaryService }): void {
  app.get('/api/metrics/summary', {
    schema: {
      tags: ['monitoring'],
      summary:
        "The dashboard's numbers within 2 s: totals (requests/s, completion tokens/s, mean TTFT, active requests, max KV-cache usage, mean GPU temperature and utilization), each deployment that is not paused or being deleted (requests/s, p95 latency, tokens/s, errors/s), and each cluster's GPU allocation (as placement counts it), utilization and temperatures. From Prometheus when PROMETHEUS_URL is set and it answers (prometheus: configured), else this instance's gateway (not_configured, or unavailable with stale and why). An unknown value is null with a reason; a part that is late is null and makes the answer stale.",
      response: { 200: metricsSummarySchema },
    },
    config: { access: 'viewer' },
    handler: async () => deps.summary.summary(),
  });
}
