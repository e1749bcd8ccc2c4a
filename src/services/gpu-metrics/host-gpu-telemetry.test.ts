import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostGpuTelemetry } from './host-gpu-telemetry.js';

const RECORDED = new URL('../../../test/fixtures/nvidia-smi/telemetry-h100-4x.csv', import.meta.url).pathname;

describe('createHostGpuTelemetry', () => {
  let dir: string;
  let smi: string;
  let runs: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-host-gpus-'));
    runs = path.join(dir, 'runs');
    smi = path.join(dir, 'nvidia-smi');
    // Counts its runs and checks it was asked the telemetry query.
    await writeFile(smi, `#!/bin/sh\necho run >> '${runs}'\ncase "$1" in *index,uuid,name,utilization.gpu*) cat '${RECORDED}' ;; *) exit 2 ;; esac\n`);
    await chmod(smi, 0o755);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const runCount = async () => (await readFile(runs, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

  it('runs nvidia-smi once for callers within 5 s of each other, and again after', async () => {
    let nowMs = 1_764_000_000_000;
    const telemetry = createHostGpuTelemetry({ command: smi, now: () => new Date(nowMs) });
    const [first, second] = await Promise.all([telemetry.read(), telemetry.read()]);
    expect(first.outcome).toMatchObject({ state: 'ok', gpus: [{ index: 0, uuid: 'GPU-5c1d7a2e-93b4-4f1e-8d2a-6e0b9f3c1a47', powerWatts: 612.38 }, {}, {}, {}] });
    expect(second).toBe(first);
    nowMs += 4_999;
    expect(await telemetry.read()).toBe(first);
    expect(await runCount()).toBe(1);
    nowMs += 1;
    const third = await telemetry.read();
    expect(third.takenAt).toEqual(new Date(nowMs));
    expect(await runCount()).toBe(2);
  });

  it('gives up on an nvidia-smi that hangs, at its time box', async () => {
    const hanging = path.join(dir, 'hanging-nvidia-smi');
    await writeFile(hanging, '#!/bin/sh\nexec sleep 30\n');
    await chmod(hanging, 0o755);
    const telemetry = createHostGpuTelemetry({ command: hanging, now: () => new Date(), timeoutMs: 300 });
    expect((await telemetry.read()).outcome).toEqual({ state: 'failed', reason: expect.stringMatching(/did not answer within 0.3 s/) });
  });
});
