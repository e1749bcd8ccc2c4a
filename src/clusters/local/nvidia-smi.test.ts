import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RECORDED_H100_GPU0 } from '../../../test/support/recorded-gpus.js';
import { NvidiaSmiParseError, parseNvidiaSmiCsv, parseNvidiaSmiTelemetry } from './nvidia-smi.js';

const recorded = (file: string) => readFileSync(new URL(`../../../test/fixtures/nvidia-smi/${file}`, import.meta.url), 'utf8');

describe('parseNvidiaSmiCsv', () => {
  it('reads eight H100 80GB HBM3 of a DGX-class host, busy and idle ones alike', () => {
    const gpus = parseNvidiaSmiCsv(recorded('h100-sxm-8x.csv'));
    expect(gpus).toHaveLength(8);
    expect(gpus.map((gpu) => gpu.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(gpus.map((gpu) => gpu.name))).toEqual(new Set(['NVIDIA H100 80GB HBM3']));
    expect(gpus.every((gpu) => gpu.memoryTotalMiB === 81559)).toBe(true);
    expect(gpus[0]).toEqual({ index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, memoryUsedMiB: 73512, utilizationPercent: 97 });
    expect(gpus[7]).toMatchObject({ memoryUsedMiB: 4, utilizationPercent: 0 });
  });

  it('reads a single GeForce RTX 4090', () => {
    expect(parseNvidiaSmiCsv(recorded('rtx-4090.csv'))).toEqual([
      { index: 0, name: 'NVIDIA GeForce RTX 4090', memoryTotalMiB: 24564, memoryUsedMiB: 1127, utilizationPercent: 4 },
    ]);
  });

  it('reads an idle A100-SXM4-40GB', () => {
    expect(parseNvidiaSmiCsv(recorded('a100-sxm4-40gb.csv'))).toEqual([
      { index: 0, name: 'NVIDIA A100-SXM4-40GB', memoryTotalMiB: 40960, memoryUsedMiB: 0, utilizationPercent: 0 },
    ]);
  });

  it('turns [N/A] of GPUs in MIG mode into null instead of failing', () => {
    const gpus = parseNvidiaSmiCsv(recorded('a100-80gb-mig.csv'));
    expect(gpus).toHaveLength(2);
    expect(gpus.map((gpu) => gpu.utilizationPercent)).toEqual([null, null]);
    expect(gpus[1]).toMatchObject({ name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, memoryUsedMiB: 37746 });
  });

  it('turns [Not Supported] into null and keeps the other GPUs', () => {
    const gpus = parseNvidiaSmiCsv(recorded('mixed-not-supported.csv'));
    expect(gpus).toEqual([
      { index: 0, name: 'Tesla T4', memoryTotalMiB: 15360, memoryUsedMiB: null, utilizationPercent: null },
      { index: 1, name: 'NVIDIA L40S', memoryTotalMiB: 46068, memoryUsedMiB: 512, utilizationPercent: 12 },
    ]);
  });

  it('reports no GPU for "No devices were found"', () => {
    expect(parseNvidiaSmiCsv(recorded('no-devices.txt'))).toEqual([]);
  });

  it('skips blank lines, Windows line ends and driver warnings before the data', () => {
    const output = 'WARNING: infoROM is corrupted at gpu 0000:3B:00.0\r\n\r\n0, NVIDIA L4, 23034, 0, 0\r\n';
    expect(parseNvidiaSmiCsv(output)).toEqual([{ index: 0, name: 'NVIDIA L4', memoryTotalMiB: 23034, memoryUsedMiB: 0, utilizationPercent: 0 }]);
  });

  it('keeps a comma inside a GPU name', () => {
    expect(parseNvidiaSmiCsv('3, Odd, Name, 1024, 1, 2\n')[0]).toMatchObject({ index: 3, name: 'Odd, Name', memoryTotalMiB: 1024 });
  });

  it('refuses the message of a driver that is not loaded, saying which line', () => {
    expect(() => parseNvidiaSmiCsv(recorded('driver-not-loaded.txt'))).toThrow(NvidiaSmiParseError);
    expect(() => parseNvidiaSmiCsv(recorded('driver-not-loaded.txt'))).toThrow(/line 1 is not "index, name, memory.total/);
  });

  it('refuses garbage numbers with the field and line named', () => {
    expect(() => parseNvidiaSmiCsv('0, NVIDIA H100 80GB HBM3, 81559, 0, 0\n1, NVIDIA H100 80GB HBM3, lots, 0, 0\n')).toThrow(/line 2: memory.total is "lots", not a number/);
    expect(() => parseNvidiaSmiCsv('x, NVIDIA H100, 1, 2, 3')).toThrow(/GPU index is "x"/);
    expect(() => parseNvidiaSmiCsv('0, , 1, 2, 3')).toThrow(/no GPU name/);
  });
});

describe('parseNvidiaSmiTelemetry', () => {
  it('reads utilization, memory, temperature, power and SM clock of four H100s with their UUIDs', () => {
    const gpus = parseNvidiaSmiTelemetry(recorded('telemetry-h100-4x.csv'));
    expect(gpus).toHaveLength(4);
    expect(gpus[0]).toEqual(RECORDED_H100_GPU0);
    expect(gpus[3]).toMatchObject({ index: 3, utilizationPercent: 0, memoryUsedMiB: 4, powerWatts: 68.41, smClockMhz: 345 });
  });

  it('keeps what nvidia-smi printed for a value it does not have, and the value null', () => {
    const [mig, t4] = parseNvidiaSmiTelemetry(recorded('telemetry-unavailable.csv'));
    expect(mig).toMatchObject({ utilizationPercent: null, memoryUsedMiB: 37746, unavailable: { 'utilization.gpu': '[N/A]' } });
    expect(t4).toMatchObject({ name: 'Tesla T4', powerWatts: null, smClockMhz: null, unavailable: { 'power.draw': '[N/A]', 'clocks.sm': '[Not Supported]' } });
  });

  it('keeps a comma inside a GPU name between the UUID and the numbers', () => {
    expect(parseNvidiaSmiTelemetry('1, GPU-x, Odd, Name, 5, 6, 7, 8, 9.5, 10\n')[0]).toMatchObject({ index: 1, uuid: 'GPU-x', name: 'Odd, Name', utilizationPercent: 5, smClockMhz: 10 });
  });

  it('refuses the inventory query\'s shorter rows, naming the telemetry columns', () => {
    expect(() => parseNvidiaSmiTelemetry(recorded('h100-sxm-8x.csv'))).toThrow(/line 1 is not "index, uuid, name, utilization.gpu, memory.used, memory.total, temperature.gpu, power.draw, clocks.sm"/);
    expect(() => parseNvidiaSmiTelemetry('0, GPU-x, NVIDIA L4, hot, 1, 2, 3, 4, 5')).toThrow(/utilization.gpu is "hot", not a number/);
  });

  it('reports no GPU for "No devices were found"', () => {
    expect(parseNvidiaSmiTelemetry(recorded('no-devices.txt'))).toEqual([]);
  });
});
