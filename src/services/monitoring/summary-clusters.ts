import type { Cluster } from '../../domain/cluster.js';
import type { GpuCapacity } from '../../domain/deployment-plan.js';
import type { ClusterGpuMetrics, MetricsSummary, MetricValue } from '../../domain/monitoring.js';
import type { GpuMetricsService } from '../gpu-metrics/gpu-metrics-service.js';
import { DeadlineExceededError, readWithDeadline } from '../deployments/live-read.js';

type ClusterSummary = MetricsSummary['clusters'][number];

export interface SummaryClustersDeps {
  gpuMetrics: Pick<GpuMetricsService, 'clusterGpus'>;
  /** Free GPUs per node as placement counts them. */
  capacity(cluster: Cluster): Promise<GpuCapacity>;
}

/** Each cluster's GPUs, utilization and temperatures, and what was late or failed (for `staleReason`). */
export interface SummaryClusters {
  clusters: ClusterSummary[];
  /** Every GPU's utilization and temperature, for the totals. */
  utilizations: number[];
  temperatures: number[];
  problems: string[];
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** The mean of `values`, or null with `reason` when there is none. */
export function meanOf(values: readonly number[], reason: string): MetricValue {
  return values.length > 0 ? { value: mean(values) } : { value: null, reason };
}

/**
 * Allocation from the inventory placement uses (allocatable GPUs per node, less what placement
 * counts free), and GPU readings from the GPU metrics service (DCGM through Prometheus, nvidia-smi
 * on this host), each cluster within `deadlineMs`.
 */
export async function summarizeClusters(deps: SummaryClustersDeps, clusters: readonly Cluster[], deadlineMs: number): Promise<SummaryClusters> {
  const problems: string[] = [];
  const utilizations: number[] = [];
  const temperatures: number[] = [];
  const summaries = await Promise.all(
    clusters.map(async (cluster): Promise<ClusterSummary> => {
      const gpusTotal = (cluster.inventory?.nodes ?? []).reduce((sum, node) => sum + Math.max(0, node.gpuAllocatable), 0);
      const [free, gpus] = await Promise.all([
        deps.capacity(cluster).then(
          (capacity) => capacity.freePerNode.reduce((sum, count) => sum + Math.max(0, count), 0),
          (error: unknown) => {
            problems.push(`the free GPUs of ${cluster.name} are unknown (${describe(error)})`);
            return gpusTotal;
          },
        ),
        readWithDeadline(deadlineMs, () => deps.gpuMetrics.clusterGpus(cluster.name)).catch((error: unknown): ClusterGpuMetrics | string =>
          error instanceof DeadlineExceededError ? `the GPU metrics of ${cluster.name} did not come within ${error.ms} ms` : `the GPU metrics of ${cluster.name} failed (${describe(error)})`,
        ),
      ]);
      const base = { cluster: cluster.name, gpusAllocated: Math.max(0, gpusTotal - free), gpusTotal };
      if (typeof gpus === 'string') {
        problems.push(gpus);
        return { ...base, gpuUtilization: { value: null, reason: `${gpus.charAt(0).toUpperCase()}${gpus.slice(1)}.` }, temperatures: [] };
      }
      if (gpus.stale && gpus.staleReason) problems.push(`${cluster.name}: ${gpus.staleReason.replace(/\.$/, '')}`);
      const clusterUtilization = gpus.gpus.flatMap((gpu) => (gpu.utilization.value === null ? [] : [gpu.utilization.value]));
      utilizations.push(...clusterUtilization);
      const heat = gpus.gpus.map((gpu) => ({ node: gpu.node, index: gpu.index, celsius: gpu.temperatureCelsius.value }));
      temperatures.push(...heat.flatMap((gpu) => (gpu.celsius === null ? [] : [gpu.celsius])));
      const noUtilization = gpus.source === 'none' ? (gpus.staleReason ?? 'No GPU metrics for this cluster.') : 'No GPU of this cluster reports its utilization.';
      return { ...base, gpuUtilization: meanOf(clusterUtilization, noUtilization), temperatures: heat };
    }),
  );
  return { clusters: summaries, utilizations, temperatures, problems };
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
}
