import { describe, expect, it } from 'vitest';
import { kubeconfigConnectionSchema, kubernetesWorkloadSettingsSchema } from './cluster.js';

describe('Kubernetes workload settings of a kubeconfig connection', () => {
  it('takes images per runtime, a mirror, a pull secret, host mounts and a model volume, with defaults', () => {
    const parsed = kubernetesWorkloadSettingsSchema.parse({
      images: { vllm: 'registry.example.com/vllm/vllm-openai:v0.11.0' },
      registryMirror: 'mirror.example.com:5000',
      imagePullSecret: 'regcred',
      imagePullPolicy: 'IfNotPresent',
      hostPathMounts: [{ hostPath: '/data/models', mountPath: '/models' }],
      modelVolume: { type: 'persistentVolumeClaim', claimName: 'models', mountPath: '/models' },
    });
    expect(parsed).toMatchObject({ inCluster: false, hostPathMounts: [{ hostPath: '/data/models', mountPath: '/models', readOnly: true }] });
    expect(kubeconfigConnectionSchema.parse({ kind: 'kubeconfig', kubeconfig: 'x' }).workloads).toBeUndefined();
  });

  it.each([
    [{ images: { nope: 'x:1' } }, 'images'],
    [{ images: { vllm: 'has space:1' } }, 'images'],
    [{ hostPathMounts: [{ hostPath: 'relative', mountPath: '/x' }] }, 'hostPathMounts'],
    [{ hostPathMounts: [{ hostPath: '/a/../etc', mountPath: '/x' }] }, 'hostPathMounts'],
    [{ imagePullSecret: 'Not_A_Name' }, 'imagePullSecret'],
    [{ registryMirror: 'https://mirror' }, 'registryMirror'],
    [{ modelVolume: { type: 'nfs', path: '/x' } }, 'modelVolume'],
    [{ unknown: true }, ''],
  ])('refuses %j', (input, field) => {
    const result = kubernetesWorkloadSettingsSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (field) expect(result.error?.issues[0]?.path[0]).toBe(field);
  });
});
