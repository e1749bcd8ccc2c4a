import type { HostGpuReading } from '../../src/domain/gpu-reading.js';
import type { GpuMetrics } from '../../src/domain/monitoring.js';

/**
 * What the recorded GPU outputs say, for the tests that read them at different layers: the
 * parsers, the conversions into `GpuMetrics` and the endpoint.
 */

const MIB = 2 ** 20;

/** GPU 0 of test/fixtures/nvidia-smi/telemetry-h100-4x.csv, parsed. */
export const RECORDED_H100_GPU0: HostGpuReading = {
  index: 0,
  uuid: 'GPU-5c1d7a2e-93b4-4f1e-8d2a-6e0b9f3c1a47',
  name: 'NVIDIA H100 80GB HBM3',
  utilizationPercent: 97,
  memoryUsedMiB: 73512,
  memoryTotalMiB: 81559,
  temperatureCelsius: 66,
  powerWatts: 612.38,
  smClockMhz: 1980,
  unavailable: {},
};

/** The same GPU as the endpoint answers it from nvidia-smi, but for `node`, `xidErrors` and `deployments`. */
export const RECORDED_H100_GPU0_METRICS = {
  index: 0,
  uuid: RECORDED_H100_GPU0.uuid,
  model: 'NVIDIA H100 80GB HBM3',
  utilization: { value: 97 },
  memoryUsedBytes: { value: 73512 * MIB },
  memoryTotalBytes: { value: 81559 * MIB },
  temperatureCelsius: { value: 66 },
  powerWatts: { value: 612.38 },
  smClockMhz: { value: 1980 },
} satisfies Partial<GpuMetrics>;

/** gpu-node-a's GPU 1 of test/fixtures/metrics/dcgm.txt, used by pod chat-6b7f9c8d54-x2k4q, as the endpoint answers it from DCGM. */
export const RECORDED_DCGM_NODE_A_GPU1: GpuMetrics = {
  node: 'gpu-node-a',
  index: 1,
  uuid: 'GPU-9d21c7e0-5f3a-4b18-8e64-7a0f3c2b1d95',
  model: 'NVIDIA H100 80GB HBM3',
  utilization: { value: 96 },
  memoryUsedBytes: { value: 73512 * MIB },
  memoryTotalBytes: { value: (73512 + 7482) * MIB },
  temperatureCelsius: { value: 63 },
  powerWatts: { value: 587.914 },
  smClockMhz: { value: 1980 },
  xidErrors: { value: 0 },
  deployments: ['chat'],
};
