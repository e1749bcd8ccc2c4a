import { describe, expect, it } from 'vitest';
import type { HostGpuReading } from '../domain/gpu-reading.js';
import { RECORDED_H100_GPU0, RECORDED_H100_GPU0_METRICS } from '../../test/support/recorded-gpus.js';
import { gpusFromNvidiaSmi } from './gpu-nvidia-smi.js';

const reading = (index: number, changes: Partial<HostGpuReading> = {}): HostGpuReading => ({ ...RECORDED_H100_GPU0, index, uuid: `GPU-${index}`, ...changes });

describe('gpusFromNvidiaSmi', () => {
  it('gives the host GPUs in index order, memory in bytes, with the deployments that hold each', () => {
    const held: Record<number, string[]> = { 0: ['chat'], 1: ['chat', 'chat'] };
    const gpus = gpusFromNvidiaSmi('gpu-host', [reading(1), reading(0)], (index) => held[index] ?? []);
    expect(gpus.map((gpu) => gpu.index)).toEqual([0, 1]);
    expect(gpus[0]).toEqual({
      ...RECORDED_H100_GPU0_METRICS,
      node: 'gpu-host',
      uuid: 'GPU-0',
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
