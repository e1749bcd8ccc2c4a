import type { Cluster, MetricsSummary } from '../../api/types';
import type { ClusterGpuUse } from '../../components/charts/UtilizationBars';

type SummaryCluster = MetricsSummary['clusters'][number];

export interface ClusterGpuRow extends ClusterGpuUse {
  temperatures: SummaryCluster['temperatures'];
}

/**
 * One row per cluster with GPUs: allocation from the metrics summary, else from the cluster's
 * inventory (so it shows without metrics too); utilization and temperatures only from the summary.
 */
export function clusterGpuRows(clusters: readonly Cluster[], summary: MetricsSummary | undefined): ClusterGpuRow[] {
  const measured = new Map(summary?.clusters.map((entry) => [entry.cluster, entry]));
  const names = [...new Set([...clusters.map((cluster) => cluster.name), ...measured.keys()])];
  return names.flatMap((name) => {
    const entry = measured.get(name);
    const totals = clusters.find((cluster) => cluster.name === name)?.inventory?.totals;
    const row: ClusterGpuRow = {
      cluster: name,
      utilizationPercent: entry?.gpuUtilization.value ?? null,
      allocated: entry?.gpusAllocated ?? totals?.gpuAllocated ?? 0,
      total: entry?.gpusTotal ?? totals?.gpuAllocatable ?? 0,
      temperatures: entry?.temperatures ?? [],
    };
    return row.total > 0 || row.temperatures.length > 0 ? [row] : [];
  });
}
