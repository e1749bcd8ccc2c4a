import type { MetricsSummary } from '../../api/types';
import { TemperatureDot } from '../../components/charts/TemperatureDot';
import type { ClusterGpuUse } from '../../components/charts/UtilizationBars';
import { LazyUtilizationBars } from '../../components/charts/lazy-charts';

type ClusterEntry = MetricsSummary['clusters'][number];

const toUse = (entry: ClusterEntry): ClusterGpuUse => ({
  cluster: entry.cluster,
  utilizationPercent: entry.gpuUtilization.value,
  allocated: entry.gpusAllocated,
  total: entry.gpusTotal,
});

/** Per cluster: GPU utilization against allocation, and a temperature dot per GPU. */
export function ClusterGpus({ clusters }: { clusters: MetricsSummary['clusters'] }) {
  const withGpus = clusters.filter((entry) => entry.gpusTotal > 0 || entry.temperatures.length > 0);
  if (withGpus.length === 0) return <p className="muted">No cluster reports GPUs.</p>;
  return (
    <div className="cluster-gpus">
      <LazyUtilizationBars clusters={withGpus.map(toUse)} />
      <ul className="temperature-rows" aria-label="GPU temperatures">
        {withGpus.map((entry) => (
          <li key={entry.cluster}>
            <span className="mono temperature-cluster" title={entry.cluster}>
              {entry.cluster}
            </span>
            {entry.temperatures.length === 0 ? (
              <span className="muted">no temperature readings</span>
            ) : (
              <span className="temperature-dots">
                {entry.temperatures.map((gpu) => (
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
