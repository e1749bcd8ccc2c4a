import type { HostGpuReading } from '../domain/gpu-reading.js';
import type { GpuMetrics, MetricValue } from '../domain/monitoring.js';

// nvidia-smi's telemetry of the H-MAS host's GPUs → the same per-GPU shape DCGM gives.

const MIB = 2 ** 20;

export const XID_NOT_FROM_NVIDIA_SMI =
  'nvidia-smi does not report XID errors; DCGM does: run dcgm-exporter on this host and let Prometheus scrape it with cluster="local" (docs/monitoring-gpus.md).';

function reading(gpu: HostGpuReading, field: string, value: number | null, scale = 1): MetricValue {
  if (value !== null) return { value: value * scale };
  const printed = gpu.unavailable[field];
  return { value: null, reason: `nvidia-smi reports ${printed ?? 'nothing'} for ${field} on this GPU${printed === '[N/A]' ? ' (not measured, e.g. in MIG mode or on this model)' : ''}.` };
}

/**
 * One entry per GPU of the host `node`. `deploymentsOf(index)` names the deployments whose
 * replicas were given the GPU (the local driver's CUDA_VISIBLE_DEVICES assignment).
 */
export function gpusFromNvidiaSmi(node: string, gpus: readonly HostGpuReading[], deploymentsOf: (index: number) => readonly string[]): GpuMetrics[] {
  return [...gpus]
    .sort((a, b) => a.index - b.index)
    .map((gpu) => ({
      node,
      index: gpu.index,
      uuid: gpu.uuid,
      model: gpu.name,
      utilization: reading(gpu, 'utilization.gpu', gpu.utilizationPercent),
      memoryUsedBytes: reading(gpu, 'memory.used', gpu.memoryUsedMiB, MIB),
      memoryTotalBytes: reading(gpu, 'memory.total', gpu.memoryTotalMiB, MIB),
      temperatureCelsius: reading(gpu, 'temperature.gpu', gpu.temperatureCelsius),
      powerWatts: reading(gpu, 'power.draw', gpu.powerWatts),
      smClockMhz: reading(gpu, 'clocks.sm', gpu.smClockMhz),
      xidErrors: { value: null, reason: XID_NOT_FROM_NVIDIA_SMI },
      deployments: [...new Set(deploymentsOf(gpu.index))].sort(),
    }));
}
