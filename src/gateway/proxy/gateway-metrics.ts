import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createKeyMetrics } from './key-metrics.js';

/** The metric children of one deployment, looked up once and kept (label hashing off the hot path). */
export interface DeploymentMetrics {
  readonly duration: Histogram.Internal<'deployment'>;
  readonly ttfb: Histogram.Internal<'deployment'>;
  readonly overhead: Histogram.Internal<'deployment'>;
  readonly active: Gauge.Internal<'deployment'>;
  readonly promptTokens: Counter.Internal;
  readonly completionTokens: Counter.Internal;
  requests(statusCode: number): Counter.Internal;
}

/** Buckets of `hmas_inference_duration_seconds` and its per-key twin. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The gateway's Prometheus metrics (prefix `hmas_inference_`), on the app's registry. The
 * `deployment` label is a deployment's name, or empty for requests that named none that exists
 * (so unknown names cannot grow the label set). Per-key series: key-metrics.ts.
 */
export function createGatewayMetrics(registry: Registry) {
  const registers = [registry];
  const requests = new Counter({
    name: 'hmas_inference_requests_total',
    help: 'Inference requests answered by the gateway, by deployment and status code.',
    labelNames: ['deployment', 'status_code'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'hmas_inference_duration_seconds',
    help: 'Time from receiving an inference request to the end of its answer.',
    labelNames: ['deployment'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const ttfb = new Histogram({
    name: 'hmas_inference_ttfb_seconds',
    help: 'Time from receiving an inference request to the first byte of the upstream answer body.',
    labelNames: ['deployment'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const overhead = new Histogram({
    name: 'hmas_inference_overhead_seconds',
    help: 'Time an inference request spends inside the gateway (auth, limits, routing, proxying), upstream time excluded.',
    labelNames: ['deployment'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers,
  });
  const active = new Gauge({
    name: 'hmas_inference_active_requests',
    help: 'Inference requests in flight through the gateway.',
    labelNames: ['deployment'] as const,
    registers,
  });
  const tokens = new Counter({
    name: 'hmas_inference_tokens_total',
    help: 'Tokens used through the gateway, by deployment and direction (prompt, completion).',
    labelNames: ['deployment', 'direction'] as const,
    registers,
  });
  const logDrops = new Counter({
    name: 'hmas_inference_log_drops_total',
    help: 'Inference log entries dropped because neither the log buffer nor its spool had room.',
    registers,
  });
  const rateLimited = new Counter({
    name: 'hmas_inference_rate_limited_total',
    help: 'Inference requests refused with 429, by the limit hit (rpm, tpm) and the subject (key, user).',
    labelNames: ['reason', 'subject'] as const,
    registers,
  });
  const rateLimiterErrors = new Counter({
    name: 'hmas_inference_rate_limiter_errors_total',
    help: 'Rate limiter calls that failed (Redis unreachable), by operation: admit (the request was admitted or refused by HMAS_RATE_LIMIT_FAILURE_MODE), settle (its tokens went uncounted).',
    labelNames: ['operation'] as const,
    registers,
  });

  const routeReloads = new Counter({
    name: 'hmas_inference_route_reloads_total',
    help: 'Reloads of the gateway routes, by trigger: loop (every second), local (a pause, resume or delete here), remote (one on another instance, through Redis), connect_failure (a replica refused a connection; one reload for a burst).',
    labelNames: ['trigger'] as const,
    registers,
  });

  const byDeployment = new Map<string, DeploymentMetrics>();
  const keys = createKeyMetrics(registry, DURATION_BUCKETS);

  return {
    /** The children of an API key by id ('' without a key); cached per key. */
    key: keys.key,
    /** Removes a key's series; called when a key is revoked or changed (any instance). */
    forgetKey: keys.forget,
    deployment(name: string): DeploymentMetrics {
      let metrics = byDeployment.get(name);
      if (!metrics) {
        const statuses = new Map<number, Counter.Internal>();
        metrics = {
          duration: duration.labels(name),
          ttfb: ttfb.labels(name),
          overhead: overhead.labels(name),
          active: active.labels(name),
          promptTokens: tokens.labels(name, 'prompt'),
          completionTokens: tokens.labels(name, 'completion'),
          requests(statusCode) {
            let child = statuses.get(statusCode);
            if (!child) {
              child = requests.labels(name, String(statusCode));
              statuses.set(statusCode, child);
            }
            return child;
          },
        };
        byDeployment.set(name, metrics);
      }
      return metrics;
    },
    logDropped(): void {
      logDrops.inc();
    },
    rateLimited(reason: 'rpm' | 'tpm', subject: 'key' | 'user'): void {
      rateLimited.inc({ reason, subject });
    },
    rateLimiterError(operation: 'admit' | 'settle'): void {
      rateLimiterErrors.inc({ operation });
    },
    routesReloaded(trigger: 'loop' | 'local' | 'remote' | 'connect_failure'): void {
      routeReloads.inc({ trigger });
    },
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
