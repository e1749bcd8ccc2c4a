import type { Cluster, MetricsSummary } from '../../api/types';
import { LazyUtilizationBars } from '../../components/charts/lazy-charts';
import { TemperatureDot } from '../../components/charts/TemperatureDot';
import type { ClusterGpuUse } from '../../components/charts/UtilizationBars';

type SummaryCluster = MetricsSummary['clusters'][number];

interface ClusterGpuRow extends ClusterGpuUse {
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

/** Per cluster: GPU utilization against allocation, and a temperature dot per GPU. */
export function ClusterGpus({ rows }: { rows: readonly ClusterGpuRow[] }) {
  if (rows.length === 0) return <p className="muted">No cluster reports GPUs.</p>;
  return (
    <div className="cluster-gpus">
      <LazyUtilizationBars clusters={rows} />
      <ul className="temperature-rows" aria-label="GPU temperatures">
        {rows.map((row) => (
          <li key={row.cluster}>
            <span className="mono temperature-cluster" title={row.cluster}>
              {row.cluster}
            </span>
            {row.temperatures.length === 0 ? (
              <span className="muted">no temperature readings</span>
            ) : (
              <span className="temperature-dots">
                {row.temperatures.map((gpu) => (
                  <TemperatureDot key={`${gpu.node}/${gpu.index}`} gpu={`${gpu.node} GPU ${gpu.index}`} celsius={gpu.celsius} />
                ))}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
