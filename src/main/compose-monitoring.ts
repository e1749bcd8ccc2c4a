import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import { createPrometheusClient } from '../metrics/prometheus-client.js';
import { createReadingMemory } from '../metrics/reading-memory.js';
import type { ReplicaTarget } from '../metrics/replica-scrape.js';
import { registerDeploymentMetricsRoutes } from '../server/routes/deployment-metrics.routes.js';
import type { ZodApp } from '../server/routes/route-types.js';
import { createDeploymentMetricsService } from '../services/monitoring/deployment-metrics-service.js';

/** The gateway's series a live snapshot reads from this instance's registry. */
const GATEWAY_SERIES = ['hmas_inference_requests_total', 'hmas_inference_duration_seconds', 'hmas_inference_ttfb_seconds', 'hmas_inference_active_requests', 'hmas_inference_tokens_total'];

/**
 * Deployment monitoring: snapshot and history routes. Live reads go to the replicas the gateway
 * routes to (its route table: the same URLs and replica tokens), so a snapshot sees exactly what
 * serves traffic from this instance.
 */
export function composeMonitoring(deps: {
  config: Pick<Config, 'prometheus'>;
  deployments: { find(id: string): Promise<{ id: string; name: string; runtime: string } | undefined> };
  routes: {
    get(name: string): { endpoints: ReadonlyArray<{ origin: string; rootPath: string; authorization: string | null }> } | undefined;
    refreshSoon(): Promise<void>;
  };
  registry: Registry;
}): { features: Array<(app: ZodApp) => void> } {
  const prometheus = deps.config.prometheus ? createPrometheusClient(deps.config.prometheus) : undefined;
  const metrics = createDeploymentMetricsService({
    deployments: deps.deployments,
    prometheus,
    async replicas(name, metricsPath): Promise<ReplicaTarget[]> {
      // A deployment the table does not know yet (or with nothing ready) is looked up again, as the gateway does.
      if (!deps.routes.get(name)?.endpoints.length) await deps.routes.refreshSoon();
      return (deps.routes.get(name)?.endpoints ?? []).map((endpoint) => ({ url: `${endpoint.origin}${endpoint.rootPath}${metricsPath}`, authorization: endpoint.authorization }));
    },
    gatewayExposition: async () => (await Promise.all(GATEWAY_SERIES.map((name) => deps.registry.getSingleMetricAsString(name).catch(() => '')))).join('\n'),
    memory: createReadingMemory(),
  });
  return { features: [(app) => registerDeploymentMetricsRoutes(app, { metrics })] };
}
