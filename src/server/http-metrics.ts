import type { ZodApp } from './routes/route-types.js';
import { isInferenceUrl } from './routes/inference.routes.js';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** A registry per app, so several apps in one process (tests) never share counters. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function installHttpMetrics(app: ZodApp, registry: Registry): void {
  const requests = new Counter({
    name: 'hmas_http_requests_total',
    help: 'HTTP requests answered by the control API (gateway requests: hmas_inference_requests_total), by method, route and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'hmas_http_request_duration_seconds',
    help: 'Time to answer an HTTP request.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    // Gateway requests have their own family (hmas_inference_*), labelled by deployment.
    if (isInferenceUrl(request.url)) return;
    // The route pattern, never the raw URL: raw URLs would make label cardinality unbounded.
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
}
