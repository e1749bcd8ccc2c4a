import type { ClusterDriver } from '../../clusters/cluster-driver.js';
import type { Cluster } from '../../domain/cluster.js';
import { scrapeMetricsPath, type ScrapeTargetGroup } from '../../domain/scrape-targets.js';
import type { WorkloadEndpoint } from '../../domain/workload.js';
import type { Logger } from '../../lib/logger.js';
import { isRuntimeId, RUNTIMES } from '../../runtimes/index.js';
import { readWithDeadline } from '../deployments/live-read.js';

/** A deployment as discovery needs it (the deployments repository's rows have these fields). */
export interface ScrapeDeploymentRow {
  name: string;
  clusterName: string;
  runtime: string;
  modelName: string;
  paused: boolean;
  deleting: boolean;
}

export interface ScrapeTargetDeps {
  deployments: { all(): Promise<ScrapeDeploymentRow[]> };
  clusters: { get(name: string): Promise<Cluster> };
  /** The cluster registry: null where this instance does not act on the cluster (local, owned by another instance). */
  drivers: { actingDriver(cluster: Cluster): Promise<ClusterDriver | null> };
  logger: Logger;
  /** How long one deployment's endpoints may take to read (default 2 s, as in lists). */
  deadlineMs?: number;
}

/** The metrics path Prometheus can read on the runtime's replicas without a secret, or null. */
function metricsPathOf(runtime: string): string | null {
  if (!isRuntimeId(runtime)) return null;
  const adapter = RUNTIMES[runtime];
  return scrapeMetricsPath({ id: adapter.id, metricsPath: adapter.metricsPath, apiKeyEnv: adapter.apiKey.env });
}

function targetGroup(row: ScrapeDeploymentRow, endpoint: WorkloadEndpoint, metricsPath: string): ScrapeTargetGroup | null {
  let origin: URL;
  try {
    origin = new URL(endpoint.origin);
  } catch {
    return null;
  }
  const scheme = origin.protocol === 'https:' ? 'https' : origin.protocol === 'http:' ? 'http' : null;
  if (scheme === null || origin.host === '') return null;
  return {
    targets: [origin.host],
    labels: { __metrics_path__: metricsPath, __scheme__: scheme, deployment: row.name, cluster: row.clusterName, runtime: row.runtime, model: row.modelName, replica: endpoint.replica },
  };
}

/**
 * Prometheus HTTP service discovery: one target group per ready replica whose metrics Prometheus
 * can read, from the clusters' drivers (the endpoints the gateway routes to), labelled with its
 * deployment, cluster, runtime, model and replica. Left out: paused and deleting deployments,
 * runtimes without open metrics (Ollama has none; llama.cpp's server wants the replica's key),
 * endpoints that balance over several replicas (a Kubernetes Service — kubernetes_sd_configs
 * finds those pods by their annotations), and clusters this instance does not act on or that do
 * not answer within the deadline (logged; the next refresh asks again).
 */
export function createScrapeTargets(deps: ScrapeTargetDeps) {
  const deadlineMs = deps.deadlineMs ?? 2_000;

  async function ofDeployment(driver: ClusterDriver, row: ScrapeDeploymentRow): Promise<ScrapeTargetGroup[]> {
    const metricsPath = metricsPathOf(row.runtime);
    if (metricsPath === null) return [];
    let endpoints: WorkloadEndpoint[];
    try {
      endpoints = await readWithDeadline(deadlineMs, (signal) => driver.endpoints(row.name, { signal }));
    } catch (error) {
      deps.logger.warn({ err: error, deployment: row.name, cluster: row.clusterName }, 'scrape targets: could not read the endpoints of a deployment');
      return [];
    }
    return endpoints.filter((endpoint) => !endpoint.balanced).flatMap((endpoint) => targetGroup(row, endpoint, metricsPath) ?? []);
  }

  async function ofCluster(clusterName: string, rows: ScrapeDeploymentRow[]): Promise<ScrapeTargetGroup[]> {
    let driver: ClusterDriver | null;
    try {
      driver = await deps.drivers.actingDriver(await deps.clusters.get(clusterName));
    } catch (error) {
      deps.logger.warn({ err: error, cluster: clusterName }, 'scrape targets: no driver for a cluster');
      return [];
    }
    if (!driver) return [];
    const found = driver;
    return (await Promise.all(rows.map((row) => ofDeployment(found, row)))).flat();
  }

  return {
    /** Every scrapable replica, ordered by deployment then replica. */
    async list(): Promise<ScrapeTargetGroup[]> {
      const byCluster = new Map<string, ScrapeDeploymentRow[]>();
      for (const row of await deps.deployments.all()) {
        if (row.paused || row.deleting) continue;
        byCluster.set(row.clusterName, [...(byCluster.get(row.clusterName) ?? []), row]);
      }
      const groups = (await Promise.all([...byCluster].map(([cluster, rows]) => ofCluster(cluster, rows)))).flat();
      return groups.sort((a, b) => a.labels.deployment.localeCompare(b.labels.deployment) || a.labels.replica.localeCompare(b.labels.replica));
    },
  };
}

export type ScrapeTargets = ReturnType<typeof createScrapeTargets>;
