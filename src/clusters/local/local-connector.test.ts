import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalConnector, localInventory, runNvidiaSmi, type HostFacts } from './local-connector.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/nvidia-smi/', import.meta.url));
const HOST: HostFacts = { hostname: 'gpu-box', cpuCores: 32, memoryBytes: 256 * 2 ** 30 };
const now = () => new Date('2024-10-07T10:00:00Z');

describe('local host connector', () => {
  let dir: string;
  /** A stand-in nvidia-smi: a shell script printing a recorded output with an exit status. */
  const fakeSmi = async (name: string, body: string) => {
    const file = path.join(dir, name);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
    return file;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-smi-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reports the GPUs nvidia-smi lists, grouped by model, with host CPU and memory', async () => {
    const smi = await fakeSmi('smi-h100', `cat '${FIXTURES}h100-sxm-8x.csv'`);
    const result = await createLocalConnector({ nvidiaSmiCommand: smi, timeoutMs: 5000, now, host: () => HOST }).test();
    expect(result).toMatchObject({ ok: true, readiness: 'ready' });
    expect(result.message).toContain('8 × NVIDIA H100 80GB HBM3');
    expect(result.inventory?.nodes).toEqual([
      { name: 'gpu-box', ready: true, gpus: [{ model: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, count: 8 }], gpuAllocatable: 8, gpuAllocated: 0, cpuCores: 32, memoryBytes: 256 * 2 ** 30 },
    ]);
    expect(result.inventory?.totals).toMatchObject({ nodes: 1, gpus: 8, gpuMemoryMiB: 8 * 81559, cpuCores: 32 });
  });

  it('passes the query arguments to nvidia-smi as argv, without a shell', async () => {
    const smi = await fakeSmi('smi-args', 'for a in "$@"; do echo "$a"; done >&2; printf "0, ARGS %s, 1, 0, 0\\n" "$#"');
    const outcome = await runNvidiaSmi(smi, 5000);
    expect(outcome).toEqual({ state: 'ok', gpus: [expect.objectContaining({ name: 'ARGS 2' })] });
  });

  it('falls back to CPU and memory when nvidia-smi is not installed, and is still ready', async () => {
    const result = await createLocalConnector({ nvidiaSmiCommand: path.join(dir, 'no-such-nvidia-smi'), timeoutMs: 5000, now, host: () => HOST }).test();
    expect(result).toMatchObject({ ok: true, readiness: 'ready' });
    expect(result.checks.find((check) => check.name === 'nvidia-smi')).toMatchObject({ ok: true, detail: expect.stringContaining('not found: CPU only') });
    expect(result.inventory?.totals).toMatchObject({ nodes: 1, gpus: 0, gpuAllocatable: 0, cpuCores: 32, memoryBytes: 256 * 2 ** 30 });
    expect(result.inventory?.notes).toEqual([expect.stringContaining('nvidia-smi is not installed')]);
  });

  it('reports zero GPUs, not a failure, when nvidia-smi finds no device (exit status 6)', async () => {
    const smi = await fakeSmi('smi-none', `cat '${FIXTURES}no-devices.txt'; exit 6`);
    expect(await runNvidiaSmi(smi, 5000)).toEqual({ state: 'ok', gpus: [] });
  });

  it('is not ready when nvidia-smi fails, saying how, and still reports CPU and memory', async () => {
    const smi = await fakeSmi('smi-broken', `cat '${FIXTURES}driver-not-loaded.txt'; exit 9`);
    const result = await createLocalConnector({ nvidiaSmiCommand: smi, timeoutMs: 5000, now, host: () => HOST }).test();
    expect(result).toMatchObject({ ok: false, readiness: 'notReady' });
    expect(result.message).toMatch(/exited with status 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/);
    expect(result.inventory?.totals).toMatchObject({ gpus: 0, cpuCores: 32 });
  });

  it('reports unparseable output as a failure with the parser\'s reason', async () => {
    const smi = await fakeSmi('smi-garbage', 'echo "<html>oops</html>"');
    expect(await runNvidiaSmi(smi, 5000)).toEqual({ state: 'failed', reason: expect.stringMatching(/line 1 is not "index, name/) });
  });

  it('gives up on an nvidia-smi that hangs, after its timeout', async () => {
    const smi = await fakeSmi('smi-hangs', 'exec sleep 30');
    expect(await runNvidiaSmi(smi, 300)).toEqual({ state: 'failed', reason: expect.stringMatching(/did not answer within 0.3 s/) });
  });

  it('builds the inventory from facts alone', () => {
    const inventory = localInventory(HOST, { state: 'failed', reason: 'boom' }, now());
    expect(inventory).toEqual({
      collectedAt: '2024-10-07T10:00:00.000Z',
      nodes: [{ name: 'gpu-box', ready: true, gpus: [], gpuAllocatable: 0, gpuAllocated: 0, cpuCores: 32, memoryBytes: 256 * 2 ** 30 }],
      totals: { nodes: 1, readyNodes: 1, gpus: 0, gpuAllocatable: 0, gpuAllocated: 0, gpuMemoryMiB: 0, cpuCores: 32, memoryBytes: 256 * 2 ** 30 },
      notes: ['nvidia-smi failed (boom): only CPU and memory are reported.'],
    });
  });
});
