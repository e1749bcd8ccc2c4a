import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDriver, type LocalDriver } from '../../src/clusters/local/local-driver.js';
import type { Cluster } from '../../src/domain/cluster.js';
import { renderWorkloadSpec } from '../../src/domain/workload.js';
import { createGpuMetricsService } from '../../src/services/gpu-metrics/gpu-metrics-service.js';
import { createHostGpuTelemetry } from '../../src/services/gpu-metrics/host-gpu-telemetry.js';
import { fakeRuntime, fakeRuntimeProgram } from '../support/fake-runtime.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The local host's GPUs joined to the deployments using them: the real local driver runs replicas
 * of the fake runtime and gives each its GPUs (CUDA_VISIBLE_DEVICES); nvidia-smi is a script
 * printing four recorded H100s for the telemetry query and eight for the inventory the driver's
 * GPU allocator asks.
 */

const FIXTURES = new URL('../fixtures/nvidia-smi/', import.meta.url).pathname;

/** Cluster local as the cluster service answers it; the service reads its name, kind and owner. */
const LOCAL = { id: randomUUID(), name: 'local', connection: { kind: 'local', namespace: null }, ownerHost: { id: 'test-host', hostname: 'gpu-host' } } as unknown as Cluster;

describe('GPU metrics of the local host', () => {
  let dir: string;
  let driver: LocalDriver;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-gpu-local-'));
    const smi = path.join(dir, 'nvidia-smi');
    await writeFile(smi, `#!/bin/sh\ncase "$1" in\n  *uuid*) cat '${FIXTURES}telemetry-h100-4x.csv' ;;\n  *) cat '${FIXTURES}h100-sxm-8x.csv' ;;\nesac\n`);
    await chmod(smi, 0o755);
    driver = createLocalDriver({ dataDir: dir, logger: pino({ level: 'silent' }), env: process.env, selfCommand: null, nvidiaSmiCommand: smi, timing: { healthIntervalMs: 100, readyCheckIntervalMs: 500, stopGraceMs: 3000 } });
    await driver.start();
    const program = await fakeRuntimeProgram();
    for (const [name, gpuCount] of [['chat', 2], ['embed', 1]] as const) {
      const { spec } = renderWorkloadSpec({
        deployment: { id: randomUUID(), name, replicas: 1 },
        model: { name: 'fake-model', localPath: '/models/fake-model.gguf' },
        runtime: fakeRuntime(program, {}),
        resourceProfile: { gpuCount, cpu: '1', memory: '1Gi' },
        optimization: { raw: {} },
        progressDeadlineSeconds: 120,
      });
      await driver.apply(spec);
      await waitFor(`${name} to be available`, async () => ((await driver.status(name))?.phase === 'Available' ? true : undefined));
    }
  });
  afterAll(async () => {
    for (const summary of (await driver?.list()) ?? []) await driver.remove(summary.name);
    await driver?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("names, per GPU nvidia-smi reports, the deployments whose replicas the local driver gave it", async () => {
    const service = createGpuMetricsService({
      clusters: { get: async () => LOCAL },
      drivers: { actingDriver: async () => driver },
      deploymentsOn: async () => ['chat', 'embed'],
      prometheus: undefined,
      hostGpus: createHostGpuTelemetry({ command: path.join(dir, 'nvidia-smi'), now: () => new Date() }),
      hostname: () => 'gpu-host',
    });
    const metrics = await service.clusterGpus('local');
    expect(metrics).toMatchObject({ cluster: 'local', source: 'nvidia-smi', stale: false });
    expect(metrics.gpus.map((gpu) => [gpu.node, gpu.index, gpu.deployments])).toEqual([
      ['gpu-host', 0, ['chat']],
      ['gpu-host', 1, ['chat']],
      ['gpu-host', 2, ['embed']],
      ['gpu-host', 3, []],
    ]);
  });
});
