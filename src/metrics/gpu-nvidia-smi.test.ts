import { describe, expect, it } from 'vitest';
import { gpusFromNvidiaSmi, type HostGpuReading } from './gpu-nvidia-smi.js';

const MIB = 2 ** 20;
const reading = (index: number, changes: Partial<HostGpuReading> = {}): HostGpuReading => ({
  index,
  uuid: `GPU-${index}`,
  name: 'NVIDIA H100 80GB HBM3',
  utilizationPercent: 97,
  memoryUsedMiB: 73512,
  memoryTotalMiB: 81559,
  temperatureCelsius: 66,
  powerWatts: 612.38,
  smClockMhz: 1980,
  unavailable: {},
  ...changes,
});

describe('gpusFromNvidiaSmi', () => {
  it('gives the host GPUs in index order, memory in bytes, with the deployments that hold each', () => {
    const held: Record<number, string[]> = { 0: ['chat'], 1: ['chat', 'chat'] };
    const gpus = gpusFromNvidiaSmi('gpu-host', [reading(1), reading(0)], (index) => held[index] ?? []);
    expect(gpus.map((gpu) => gpu.index)).toEqual([0, 1]);
    expect(gpus[0]).toEqual({
      node: 'gpu-host',
      index: 0,
      uuid: 'GPU-0',
      model: 'NVIDIA H100 80GB HBM3',
      utilization: { value: 97 },
      memoryUsedBytes: { value: 73512 * MIB },
      memoryTotalBytes: { value: 81559 * MIB },
      temperatureCelsius: { value: 66 },
      powerWatts: { value: 612.38 },
      smClockMhz: { value: 1980 },
      xidErrors: { value: null, reason: expect.stringMatching(/nvidia-smi does not report XID errors/) },
      deployments: ['chat'],
    });
    expect(gpus[1]?.deployments).toEqual(['chat']);
  });

  it('says what nvidia-smi printed for a value it does not have', () => {
    const [gpu] = gpusFromNvidiaSmi('h', [reading(0, { utilizationPercent: null, powerWatts: null, unavailable: { 'utilization.gpu': '[N/A]', 'power.draw': '[Not Supported]' } })], () => []);
    expect(gpu?.utilization).toEqual({ value: null, reason: 'nvidia-smi reports [N/A] for utilization.gpu on this GPU (not measured, e.g. in MIG mode or on this model).' });
    expect(gpu?.powerWatts).toEqual({ value: null, reason: 'nvidia-smi reports [Not Supported] for power.draw on this GPU.' });
  });
});
