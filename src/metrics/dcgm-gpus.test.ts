import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../test/support/exposition.js';
import { RECORDED_DCGM_NODE_A_GPU1 } from '../../test/support/recorded-gpus.js';
import { gpusFromDcgm } from './dcgm-gpus.js';
import { podDeploymentResolver } from './gpu-pod-deployments.js';
import type { InstantSample } from './prometheus-client.js';

const MIB = 2 ** 20;

/** The recorded scrape as Prometheus answers an instant query of it: the metric name is the `__name__` label. */
function answered(text: string, extra: Record<string, string> = { cluster: 'gpu-east', instance: 'dcgm:9400', job: 'dcgm-exporter' }): InstantSample[] {
  return parseExposition(text).map((sample) => ({ labels: { __name__: sample.name, ...sample.labels, ...extra }, value: sample.value, at: 1_764_000_000 }));
}
const recorded = readFileSync(new URL('../../test/fixtures/metrics/dcgm.txt', import.meta.url), 'utf8');

describe('gpusFromDcgm', () => {
  const deploymentOf = podDeploymentResolver(['chat', 'embed'], 'hmas');

  it('gives one entry per GPU of each node with every field in its unit, and the deployment whose pod uses it', () => {
    const gpus = gpusFromDcgm(answered(recorded), deploymentOf);
    expect(gpus.map((gpu) => `${gpu.node}/${gpu.index}`)).toEqual(['gpu-node-a/0', 'gpu-node-a/1', 'gpu-node-b/0', 'gpu-node-b/1']);
    expect(gpus[1]).toEqual(RECORDED_DCGM_NODE_A_GPU1);
    expect(gpus[0]?.deployments).toEqual([]);
    expect(gpus[3]).toMatchObject({ xidErrors: { value: 79 }, memoryUsedBytes: { value: 0 }, memoryTotalBytes: { value: 80994 * MIB } });
  });

  it('says why a field is null: a counter the exporter does not export, or NaN', () => {
    const withoutPower = answered(recorded).filter((sample) => sample.labels.__name__ !== 'DCGM_FI_DEV_POWER_USAGE');
    const nan = withoutPower.map((sample) => (sample.labels.__name__ === 'DCGM_FI_DEV_FB_FREE' ? { ...sample, value: null } : sample));
    const [gpu] = gpusFromDcgm(nan, deploymentOf);
    expect(gpu?.powerWatts).toEqual({ value: null, reason: expect.stringMatching(/exports no DCGM_FI_DEV_POWER_USAGE/) });
    expect(gpu?.memoryTotalBytes).toEqual({ value: null, reason: expect.stringMatching(/no value for DCGM_FI_DEV_FB_FREE \(NaN\)/) });
    expect(gpu?.memoryUsedBytes).toEqual({ value: 0 });
  });

  it('joins every pod sharing a GPU, reads exported_pod when the scrape renamed it, and ignores pods of no deployment', () => {
    const base = { __name__: 'DCGM_FI_DEV_GPU_UTIL', gpu: '0', UUID: 'GPU-1', Hostname: 'n1', modelName: 'NVIDIA L40S' };
    const gpus = gpusFromDcgm(
      [
        { labels: { ...base, pod: 'chat-6b7f9c8d54-x2k4q', namespace: 'hmas' }, value: 40, at: 0 },
        { labels: { ...base, pod: 'dcgm-exporter-7xk2p', namespace: 'gpu-operator', exported_pod: 'embed-58d4b9c7f-m4n2p', exported_namespace: 'hmas' }, value: 40, at: 0 },
        { labels: { ...base, pod: 'train-0', namespace: 'ml' }, value: 40, at: 0 },
      ],
      deploymentOf,
    );
    expect(gpus).toHaveLength(1);
    expect(gpus[0]).toMatchObject({ utilization: { value: 40 }, deployments: ['chat', 'embed'] });
  });

  it('adds up the memory of MIG instances of one GPU and takes the hottest reading of the rest', () => {
    const base = { gpu: '0', UUID: 'GPU-A100', Hostname: 'n1', modelName: 'NVIDIA A100-SXM4-80GB' };
    const gpus = gpusFromDcgm(
      [
        { labels: { ...base, __name__: 'DCGM_FI_DEV_FB_USED', GPU_I_ID: '1', GPU_I_PROFILE: '3g.40gb' }, value: 20_000, at: 0 },
        { labels: { ...base, __name__: 'DCGM_FI_DEV_FB_USED', GPU_I_ID: '2', GPU_I_PROFILE: '3g.40gb' }, value: 10_000, at: 0 },
        { labels: { ...base, __name__: 'DCGM_FI_DEV_FB_FREE', GPU_I_ID: '1', GPU_I_PROFILE: '3g.40gb' }, value: 19_000, at: 0 },
        { labels: { ...base, __name__: 'DCGM_FI_DEV_FB_FREE', GPU_I_ID: '2', GPU_I_PROFILE: '3g.40gb' }, value: 29_000, at: 0 },
        { labels: { ...base, __name__: 'DCGM_FI_DEV_GPU_TEMP' }, value: 44, at: 0 },
        { labels: { ...base, __name__: 'DCGM_FI_DEV_MEM_CLOCK' }, value: 1593, at: 0 },
        { labels: { ...base, __name__: 'DCGM_FI_DEV_GPU_UTIL', gpu: 'x' }, value: 1, at: 0 },
      ],
      deploymentOf,
    );
    expect(gpus).toHaveLength(1);
    expect(gpus[0]).toMatchObject({ memoryUsedBytes: { value: 30_000 * MIB }, memoryTotalBytes: { value: 78_000 * MIB }, temperatureCelsius: { value: 44 }, utilization: { value: null } });
  });
});
