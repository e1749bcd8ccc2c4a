import type { Registry } from 'prom-client';
import type { ClusterRegistry } from '../clusters/cluster-registry.js';
import type { Config } from '../config/config.js';
import type { Cluster } from '../domain/cluster.js';
import type { GpuCapacity } from '../domain/deployment-plan.js';
import type { Page } from '../domain/pagination.js';
import type { Logger } from '../lib/logger.js';
import { createPrometheusClient } from '../metrics/prometheus-client.js';
import { createReadingMemory } from '../metrics/reading-memory.js';
import type { ReplicaTarget } from '../metrics/replica-scrape.js';
import { registerApiKeyMetricsRoutes } from '../server/routes/api-key-metrics.routes.js';
import { registerDeploymentMetricsRoutes } from '../server/routes/deployment-metrics.routes.js';
import { registerGpuMetricsRoutes } from '../server/routes/gpu-metrics.routes.js';
import { registerMetricsSummaryRoutes } from '../server/routes/metrics-summary.routes.js';
import { registerPrometheusRoutes } from '../server/routes/prometheus.routes.js';
import type { ZodApp } from '../server/routes/route-types.js';
import type { DeploymentRepo } from '../services/deployments/deployment-repo.js';
import { createGpuMetricsService } from '../services/gpu-metrics/gpu-metrics-service.js';
import { createHostGpuTelemetry } from '../services/gpu-metrics/host-gpu-telemetry.js';
import type { ApiKeyService } from '../services/api-keys/api-key-service.js';
import { createApiKeyMetricsService } from '../services/monitoring/api-key-metrics-service.js';
import { createDeploymentMetricsService } from '../services/monitoring/deployment-metrics-service.js';
import { createMetricsSummaryService } from '../services/monitoring/metrics-summary-service.js';
import { createScrapeTargets } from '../services/monitoring/scrape-targets.js';

/** The gateway's series a live snapshot reads from this instance's registry. */
const GATEWAY_SERIES = ['hmas_inference_requests_total', 'hmas_inference_duration_seconds', 'hmas_inference_ttfb_seconds', 'hmas_inference_active_requests', 'hmas_inference_tokens_total'];

/**
 * Monitoring, wired: Prometheus (`PROMETHEUS_URL`) is the store of every series, with one client
 * for every route here. Prometheus HTTP service discovery (the replicas the drivers know);
 * deployment snapshots and history — live reads go to the replicas the gateway routes to (its
 * route table: the same URLs and replica tokens), so a snapshot sees exactly what serves traffic
 * from this instance; GPU metrics (DCGM through Prometheus, nvidia-smi on this host); per-key
 * metrics (the gateway's `hmas_inference_key_*` series, through Prometheus); the dashboard summary
 * (all of these at once, within 2 s).
 */
export function composeMonitoring(deps: {
  config: Pick<Config, 'prometheus' | 'nvidiaSmiCommand'>;
  deployments: Pick<DeploymentRepo, 'find' | 'all' | 'namesOnCluster'>;
  clusters: { get(name: string): Promise<Cluster>; list(limit: number, offset: number): Promise<Page<Cluster>> };
  /** Free GPUs per node of a cluster, as placement counts them (the summary's allocation). */
  capacity(cluster: Cluster): Promise<GpuCapacity>;
  drivers: Pick<ClusterRegistry, 'actingDriver'>;
  routes: {
    get(name: string): { endpoints: ReadonlyArray<{ origin: string; rootPath: string; authorization: string | null }> } | undefined;
    refreshSoon(): Promise<void>;
  };
  apiKeys: Pick<ApiKeyService, 'get'>;
  registry: Registry;
  logger: Logger;
}): { features: Array<(app: ZodApp) => void> } {
  const prometheus = deps.config.prometheus ? createPrometheusClient(deps.config.prometheus) : undefined;
  const targets = createScrapeTargets({ deployments: deps.deployments, clusters: deps.clusters, drivers: deps.drivers, logger: deps.logger.child({ component: 'prometheus-sd' }) });
  const gatewayExposition = async () => (await Promise.all(GATEWAY_SERIES.map((name) => deps.registry.getSingleMetricAsString(name).catch(() => '')))).join('\n');
  const metrics = createDeploymentMetricsService({
    deployments: deps.deployments,
    prometheus,
    async replicas(name, metricsPath): Promise<ReplicaTarget[]> {
      // A deployment the table does not know yet (or with nothing ready) is looked up again, as the gateway does.
      if (!deps.routes.get(name)?.endpoints.length) await deps.routes.refreshSoon();
      return (deps.routes.get(name)?.endpoints ?? []).map((endpoint) => ({ url: `${endpoint.origin}${endpoint.rootPath}${metricsPath}`, authorization: endpoint.authorization }));
    },
    gatewayExposition,
    memory: createReadingMemory(),
  });
  const gpuMetrics = createGpuMetricsService({
    clusters: deps.clusters,
    drivers: deps.drivers,
    deploymentsOn: (clusterId) => deps.deployments.namesOnCluster(clusterId),
    prometheus,
    hostGpus: createHostGpuTelemetry({ command: deps.config.nvidiaSmiCommand, now: () => new Date() }),
  });
  const summary = createMetricsSummaryService({
    deployments: deps.deployments,
    clusters: deps.clusters,
    capacity: deps.capacity,
    gpuMetrics,
    prometheus,
    gatewayExposition,
    memory: createReadingMemory(),
  });
  return {
    features: [
      (app) => registerPrometheusRoutes(app, { targets }),
      (app) => registerDeploymentMetricsRoutes(app, { metrics }),
      (app) => registerGpuMetricsRoutes(app, { gpuMetrics }),
      (app) => registerMetricsSummaryRoutes(app, { summary }),
      (app) => registerApiKeyMetricsRoutes(app, { metrics: createApiKeyMetricsService({ apiKeys: deps.apiKeys, prometheus }) }),
    ],
  };
}
