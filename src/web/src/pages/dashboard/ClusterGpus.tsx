import { LazyUtilizationBars } from '../../components/charts/lazy-charts';
import { TemperatureDot } from '../../components/charts/TemperatureDot';
import type { ClusterGpuRow } from './cluster-gpu-rows';

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
