import type { Cluster } from '../../domain/cluster.js';
import type { MetricsSummary, MetricValue } from '../../domain/monitoring.js';
import type { Page } from '../../domain/pagination.js';
import { sentence } from '../../metrics/normalize.js';
import type { PrometheusClient } from '../../metrics/prometheus-client.js';
import type { ReadingMemory } from '../../metrics/reading-memory.js';
import { liveSummaryReading, prometheusSummaryReading, type DeploymentNumbers, type SummaryReading } from '../../metrics/summary-readings.js';
import { DeadlineExceededError, readWithDeadline } from '../deployments/live-read.js';
import { meanOf, summarizeClusters, type SummaryClustersDeps } from './summary-clusters.js';

export interface MetricsSummaryDeps extends SummaryClustersDeps {
  deployments: { all(): Promise<Array<{ id: string; name: string; runtime: string; clusterName: string; paused: boolean; deleting: boolean; status: string }>> };
  clusters: { list(limit: number, offset: number): Promise<Page<Cluster>> };
  /** Undefined without PROMETHEUS_URL. */
  prometheus: PrometheusClient | undefined;
  /** This instance's own `hmas_inference_*` exposition. */
  gatewayExposition(): Promise<string>;
  memory: ReadingMemory;
  /** SPEC: a list answers within 2 s. Prometheus and each cluster's GPU read get a share of it. */
  deadlineMs?: number;
  now?: () => Date;
}

const PAGE = 500;

/** Sum of the known values; null with the first reason when none is known. */
function sumOf(values: readonly MetricValue[], none: string): MetricValue {
  const known = values.flatMap((value) => (value.value === null ? [] : [value.value]));
  return known.length > 0 ? { value: known.reduce((a, b) => a + b, 0) } : { value: null, reason: values.find((value) => value.reason)?.reason ?? none };
}

function maxOf(values: readonly MetricValue[], none: string): MetricValue {
  const known = values.flatMap((value) => (value.value === null ? [] : [value.value]));
  return known.length > 0 ? { value: Math.max(...known) } : { value: null, reason: values.find((value) => value.reason)?.reason ?? none };
}

/** Mean TTFT over every deployment's requests: Σ observed seconds / Σ observed requests. */
function meanTtft(numbers: readonly DeploymentNumbers[]): MetricValue {
  let seconds = 0;
  let count = 0;
  for (const { ttft } of numbers) {
    if ('sumPerSecond' in ttft) {
      seconds += ttft.sumPerSecond;
      count += ttft.countPerSecond;
    }
  }
  if (count > 0) return { value: seconds / count };
  if (numbers.length === 0) return { value: null, reason: 'No deployment is running.' };
  const missing = numbers.map((entry) => entry.ttft).find((ttft): ttft is MetricValue => 'value' in ttft);
  return { value: null, reason: missing?.reason ?? 'No request finished in the last 5 minutes.' };
}

/**
 * `GET /api/metrics/summary`: the dashboard's totals, its running-models table and each
 * cluster's GPUs. With Prometheus: a few queries over every deployment at once; without it (or
 * when it fails or is late) this instance's gateway registry, read now. GPU allocation from the
 * inventory placement uses; utilization and temperatures from the GPU metrics service. A part
 * late or failing is null with why and makes the answer `stale`.
 */
export function createMetricsSummaryService(deps: MetricsSummaryDeps) {
  const now = deps.now ?? (() => new Date());
  const deadlineMs = deps.deadlineMs ?? 2_000;

  async function allClusters(): Promise<Cluster[]> {
    const clusters: Cluster[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await deps.clusters.list(PAGE, offset);
      clusters.push(...page.items);
      if (page.items.length < PAGE) return clusters;
    }
  }

  /** Prometheus within half the deadline; this instance's gateway otherwise, with why. */
  async function reading(at: Date): Promise<{ read: SummaryReading; prometheus: MetricsSummary['prometheus']; problem?: string }> {
    const live = () => liveSummaryReading(deps);
    if (!deps.prometheus) return { read: await live(), prometheus: 'not_configured' };
    const client = deps.prometheus;
    try {
      return { read: await readWithDeadline(deadlineMs / 2, () => prometheusSummaryReading(client, at)), prometheus: 'configured' };
    } catch (error) {
      const cause = error instanceof DeadlineExceededError ? `Prometheus did not answer within ${error.ms} ms` : (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
      return { read: await live(), prometheus: 'unavailable', problem: `${cause}: the totals are this instance's gateway's own` };
    }
  }

  return {
    async summary(): Promise<MetricsSummary> {
      const at = now();
      const [records, clusters] = await Promise.all([deps.deployments.all(), allClusters()]);
      const running = records.filter((record) => !record.paused && !record.deleting && record.status !== 'paused' && record.status !== 'deleting');
      // GPU reads start with Prometheus, not after it: each gets most of the deadline, not what Prometheus left.
      const [source, gpus] = await Promise.all([reading(at), summarizeClusters(deps, clusters, deadlineMs * 0.75)]);
      const numbers = running.map((record) => ({ record, numbers: source.read(record.name) }));
      const all = numbers.map((entry) => entry.numbers);
      const problems = [...(source.problem ? [source.problem] : []), ...gpus.problems];
      const noGpu = clusters.length === 0 ? 'No cluster is registered.' : 'No GPU reports it: set up the DCGM exporter (docs/monitoring-gpus.md).';
      return {
        at: at.toISOString(),
        stale: problems.length > 0,
        ...(problems.length > 0 ? { staleReason: sentence(problems) } : {}),
        prometheus: source.prometheus,
        totals: {
          requestsPerSecond: sumOf(all.map((entry) => entry.requestsPerSecond), 'No deployment is running.'),
          tokensPerSecond: sumOf(all.map((entry) => entry.tokensPerSecond), 'No deployment is running.'),
          meanTtftSeconds: meanTtft(all),
          activeRequests: sumOf(all.map((entry) => entry.activeRequests), 'No deployment is running.'),
          maxKvCacheUsage: maxOf(all.map((entry) => entry.kvCacheUsage), 'No deployment is running.'),
          meanGpuTemperatureCelsius: meanOf(gpus.temperatures, noGpu),
          gpuUtilization: meanOf(gpus.utilizations, noGpu),
        },
        deployments: numbers.map(({ record, numbers: entry }) => ({
          deploymentId: record.id,
          deployment: record.name,
          cluster: record.clusterName,
          runtime: record.runtime,
          requestsPerSecond: entry.requestsPerSecond,
          p95LatencySeconds: entry.p95LatencySeconds,
          tokensPerSecond: entry.tokensPerSecond,
          errorsPerSecond: entry.errorsPerSecond,
        })),
        clusters: gpus.clusters,
      };
    },
  };
}

export type MetricsSummaryService = ReturnType<typeof createMetricsSummaryService>;
