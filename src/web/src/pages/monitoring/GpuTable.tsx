import type { GpuMetrics } from '../../api/types';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { TemperatureDot } from '../../components/charts/TemperatureDot';
import { MetricCell } from '../../components/charts/MetricCell';
import { formatBytes } from '../../lib/format';

const memory = (gpu: GpuMetrics) =>
  gpu.memoryUsedBytes.value === null ? (
    <span title={gpu.memoryUsedBytes.reason}>—</span>
  ) : (
    `${formatBytes(gpu.memoryUsedBytes.value)} / ${formatBytes(gpu.memoryTotalBytes.value)}`
  );

export const gpuName = (gpu: GpuMetrics) => `${gpu.node} GPU ${gpu.index}`;

const columns: ReadonlyArray<Column<GpuMetrics>> = [
  { header: 'GPU', cell: (gpu) => <span className="mono">{gpuName(gpu)}</span>, className: 'nowrap' },
  { header: 'Model', cell: (gpu) => gpu.model ?? '—' },
  {
    header: 'Temperature',
    cell: (gpu) => (
      <span className="temp-reading">
        <TemperatureDot gpu={gpuName(gpu)} celsius={gpu.temperatureCelsius.value} />
        <MetricCell metric={gpu.temperatureCelsius} unit="celsius" />
      </span>
    ),
    className: 'nowrap',
  },
  { header: 'Utilization', cell: (gpu) => <MetricCell metric={gpu.utilization} unit="percent" /> },
  { header: 'Memory', cell: memory, className: 'nowrap' },
  { header: 'Power', cell: (gpu) => <MetricCell metric={gpu.powerWatts} unit="watts" /> },
  { header: 'SM clock', cell: (gpu) => (gpu.smClockMhz.value === null ? <MetricCell metric={gpu.smClockMhz} unit="count" /> : `${gpu.smClockMhz.value} MHz`) },
  { header: 'XID', cell: (gpu) => <MetricCell metric={gpu.xidErrors} unit="count" /> },
  { header: 'Deployments', cell: (gpu) => (gpu.deployments.length > 0 ? gpu.deployments.join(', ') : '—'), className: 'mono' },
];

/** GPUs with their readings: temperature dot, utilization, memory, power, clock, last XID, users. */
export function GpuTable({ caption, gpus, loading, empty }: { caption: string; gpus: readonly GpuMetrics[] | undefined; loading: boolean; empty: string }) {
  return <DataTable caption={caption} dense columns={columns} rows={gpus} rowKey={(gpu) => `${gpu.node}/${gpu.index}`} loading={loading} empty={empty} />;
}
