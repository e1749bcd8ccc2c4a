import type { ClusterDriver } from '../../clusters/cluster-driver.js';
import type { ClusterRegistry } from '../../clusters/cluster-registry.js';
import { currentHost } from '../../clusters/local/local-connector.js';
import { describeOwner } from '../../clusters/local-ownership.js';
import { DEFAULT_CLUSTER_NAMESPACE, type Cluster } from '../../domain/cluster.js';
import type { ClusterGpuMetrics, GpuMetrics } from '../../domain/monitoring.js';
import { gpusFromDcgm, nodeOf } from '../../metrics/dcgm-gpus.js';
import { dcgmSampleTimeQuery, dcgmSeriesQuery } from '../../metrics/dcgm-queries.js';
import { gpusFromNvidiaSmi } from '../../metrics/gpu-nvidia-smi.js';
import { podDeploymentResolver } from '../../metrics/gpu-pod-deployments.js';
import { PrometheusTimeoutError, PrometheusUnavailableError, type PrometheusClient } from '../../metrics/prometheus-client.js';
import { readWithDeadline } from '../deployments/live-read.js';
import type { HostGpuTelemetry, HostGpuTelemetryReading } from './host-gpu-telemetry.js';

export interface GpuMetricsServiceDeps {
  /** `get(name)`: the cluster, or 404 CLUSTER_NOT_FOUND. */
  clusters: { get(name: string): Promise<Cluster> };
  /** The acting driver of cluster `local` (null on an instance that does not own it): its replicas' GPUs. */
  drivers: Pick<ClusterRegistry, 'actingDriver'>;
  /** Names of the deployments placed on a cluster, by cluster id. */
  deploymentsOn: (clusterId: string) => Promise<string[]>;
  /** Absent without PROMETHEUS_URL. */
  prometheus: PrometheusClient | undefined;
  /** nvidia-smi on this host, cached. */
  hostGpus: HostGpuTelemetry;
  now?: () => Date;
  /** This host's name (the local cluster's one node). */
  hostname?: () => string;
  /** A node whose newest DCGM sample is older than this is stale (default 120 s: four missed 30 s scrapes). */
  staleAfterSeconds?: number;
}

export interface GpuMetricsService {
  /** `GET /api/clusters/:name/gpu-metrics`. */
  clusterGpus(name: string): Promise<ClusterGpuMetrics>;
}

const GUIDE = 'docs/monitoring-gpus.md';
/** This instance's own host, when it owns cluster local: its driver and nvidia-smi's reading (started at once). */
interface LocalHost {
  driver: ClusterDriver;
  reading: Promise<HostGpuTelemetryReading>;
}

/** How long the local driver may take to say which replica holds which GPU. */
const LOCAL_STATUS_DEADLINE_MS = 2_000;

/** GPU index → deployments whose live replicas hold it, from the local driver's assignment (CUDA_VISIBLE_DEVICES). */
async function localGpuHolders(driver: ClusterDriver): Promise<Map<number, string[]>> {
  const holders = new Map<number, string[]>();
  const statuses = await readWithDeadline(LOCAL_STATUS_DEADLINE_MS, async (signal) => {
    const workloads = await driver.list({ signal });
    return Promise.all(workloads.map((workload) => driver.status(workload.name, { signal })));
  }).catch(() => []);
  for (const status of statuses) {
    for (const replica of status?.replicaStatuses ?? []) {
      if (replica.state === 'stopped' || replica.gpus === null) continue;
      for (const index of replica.gpus) holders.set(index, [...(holders.get(index) ?? []), status!.name]);
    }
  }
  return holders;
}

export function createGpuMetricsService(deps: GpuMetricsServiceDeps): GpuMetricsService {
  const now = deps.now ?? (() => new Date());
  const hostname = deps.hostname ?? (() => currentHost().hostname);
  const staleAfterSeconds = deps.staleAfterSeconds ?? 120;

  const none = (cluster: Cluster, staleReason: string): ClusterGpuMetrics => ({ cluster: cluster.name, source: 'none', at: now().toISOString(), stale: false, staleReason, gpus: [] });

  /** DCGM through Prometheus; `gpus` empty when Prometheus has no series of the cluster. */
  async function fromDcgm(cluster: Cluster, prometheus: PrometheusClient): Promise<ClusterGpuMetrics> {
    const at = now();
    const [series, sampleTimes, deployments] = await Promise.all([
      prometheus.query(dcgmSeriesQuery(cluster.name), at),
      prometheus.query(dcgmSampleTimeQuery(cluster.name), at),
      deps.deploymentsOn(cluster.id),
    ]);
    const namespace = cluster.connection.kind === 'local' ? null : (cluster.connection.namespace ?? DEFAULT_CLUSTER_NAMESPACE);
    const gpus = gpusFromDcgm(series, podDeploymentResolver(deployments, namespace));
    const lagging = sampleTimes
      .filter((sample) => sample.value !== null && at.getTime() / 1000 - sample.value > staleAfterSeconds)
      .map((sample) => `${nodeOf(sample.labels)} (${Math.round(at.getTime() / 1000 - (sample.value ?? 0))} s)`)
      .sort();
    return {
      cluster: cluster.name,
      source: 'dcgm',
      at: at.toISOString(),
      stale: lagging.length > 0,
      ...(lagging.length > 0
        ? { staleReason: `The newest DCGM samples of ${lagging.join(', ')} are older than ${staleAfterSeconds} s: the exporter or its scrape there has stopped; those numbers are its last ones.` }
        : {}),
      gpus,
    };
  }

  /** nvidia-smi on this host, for cluster `local` owned by this instance. */
  async function fromHost(cluster: Cluster, host: LocalHost, prometheusProblem: string | null): Promise<ClusterGpuMetrics> {
    const [{ outcome, takenAt }, holders] = await Promise.all([host.reading, localGpuHolders(host.driver)]);
    const base = { cluster: cluster.name, at: takenAt.toISOString() };
    if (outcome.state === 'absent') {
      return { ...base, source: 'none', stale: prometheusProblem !== null, staleReason: `nvidia-smi is not installed on this host (HMAS_NVIDIA_SMI): no NVIDIA GPU to report.${prometheusProblem ? ` ${prometheusProblem}` : ''}`, gpus: [] };
    }
    if (outcome.state === 'failed') {
      return { ...base, source: 'none', stale: true, staleReason: `nvidia-smi failed: ${outcome.reason.replace(/\.$/, '')}.${prometheusProblem ? ` ${prometheusProblem}` : ''}`, gpus: [] };
    }
    const gpus: GpuMetrics[] = gpusFromNvidiaSmi(hostname(), outcome.gpus, (index) => holders.get(index) ?? []);
    return { ...base, source: 'nvidia-smi', stale: prometheusProblem !== null, ...(prometheusProblem ? { staleReason: prometheusProblem } : {}), gpus };
  }

  return {
    async clusterGpus(name) {
      const cluster = await deps.clusters.get(name);
      // Only the instance that owns cluster local can read its host's GPUs.
      const hostDriver = cluster.connection.kind === 'local' ? await deps.drivers.actingDriver(cluster) : null;
      // Read alongside Prometheus, not after it: a Prometheus that times out must not add nvidia-smi's time to the answer's.
      const host: LocalHost | null = hostDriver ? { driver: hostDriver, reading: deps.hostGpus.read() } : null;
      const exporterHint = `deploy NVIDIA dcgm-exporter there and have Prometheus scrape it with the label cluster="${cluster.name}" (${GUIDE})`;
      const otherOwner = cluster.connection.kind === 'local' && !host ? ` This H-MAS instance does not run cluster ${cluster.name} (it runs on ${describeOwner(cluster)}): ask that instance for its nvidia-smi readings.` : '';
      if (!deps.prometheus) {
        if (host) return fromHost(cluster, host, null);
        return none(cluster, `No GPU metrics: set PROMETHEUS_URL to a Prometheus that has the DCGM exporter series of this cluster, and ${exporterHint}.${otherOwner}`);
      }
      let dcgm: ClusterGpuMetrics;
      try {
        dcgm = await fromDcgm(cluster, deps.prometheus);
      } catch (error) {
        const prometheusDown = error instanceof PrometheusUnavailableError || error instanceof PrometheusTimeoutError;
        if (!prometheusDown || !host) throw error;
        return fromHost(cluster, host, `${error.message} These numbers come from nvidia-smi on this host instead (no XID errors).`);
      }
      if (dcgm.gpus.length > 0) return dcgm;
      if (host) return fromHost(cluster, host, null);
      return none(cluster, `Prometheus has no DCGM series with cluster="${cluster.name}": ${exporterHint}.${otherOwner}`);
    },
  };
}
