import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../domain/cluster.js';
import type { Deployment } from '../../domain/deployment.js';
import type { ImageWarmerStatus } from '../../domain/image-warmer.js';
import { migCell, renderClusterDescription, renderWarmer } from './cluster-describe.js';

const agentCluster: Cluster = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'edge-lab',
  displayName: 'edge-lab',
  type: 'GP',
  scheduler: 'default',
  labels: {},
  imagePrecache: false,
  readiness: { state: 'unknown', lastCheckedAt: null, message: 'Waiting for the agent to connect.' },
  lastTest: null,
  inventory: null,
  ownerHost: null,
  createdAt: '2026-12-04T15:00:00.000Z',
  updatedAt: '2026-12-04T15:00:00.000Z',
  connection: { kind: 'agent', server: null, context: null, namespace: null, memberCluster: null, insecureSkipTlsVerify: false, hasCredentials: true },
};

const unsupported: ImageWarmerStatus = {
  cluster: 'edge-lab',
  enabled: false,
  phase: 'unsupported',
  message: 'Only clusters reached with a kubeconfig have an image warmer.',
  namespace: null,
  daemonSet: null,
  images: [],
  nodes: { desired: 0, ready: 0, updated: 0 },
  lastError: null,
  lastSyncAt: null,
  lastChangeAt: null,
};

const deployment = (name: string) => ({ id: `00000000-0000-4000-8000-00000000000${name.length}`, name, modelName: 'tiny', runtime: 'vllm', status: 'running', statusSource: 'cached', readyReplicas: 1, replicas: 2 }) as Deployment;

describe('renderClusterDescription', () => {
  it('says what is not known yet, leaves out what does not apply, and says when the deployment list was cut', () => {
    const text = renderClusterDescription({ cluster: agentCluster, deployments: [deployment('a'), deployment('bb')], deploymentsTotal: 501, warmer: unsupported });
    expect(text).toMatch(/^Name:\s+edge-lab$/m);
    expect(text).toMatch(/^Labels:\s+none$/m);
    expect(text).toMatch(/^Readiness:\s+unknown — Waiting for the agent to connect\.$/m);
    expect(text).not.toContain('API server');
    expect(text).not.toContain('TLS verification');
    expect(text).toContain('Last test: none since it was registered or its connection changed.');
    expect(text).toContain('Nodes: not collected yet');
    expect(text).toMatch(/^Deployments \(501 — the first 2\):$/m);
    expect(text).toMatch(/^ {2}a\s+tiny\s+vllm\s+running \(cached\)\s+1\/2\s+/m);
    expect(text).toMatch(/^Image warmer: unsupported — Only clusters reached with a kubeconfig have an image warmer\.$/m);
    expect(text).not.toContain('Last sync');
  });

  it('prints the workload settings of a kubeconfig connection, unset ones as their default', () => {
    const connection = { ...agentCluster.connection, kind: 'kubeconfig' as const, server: 'https://k8s.example:6443', namespace: 'hmas' };
    const workloads = { inCluster: false, images: { vllm: 'registry.example/vllm:v1' }, registryMirror: 'mirror.example:5000', hostPathMounts: [{ hostPath: '/data', mountPath: '/models', readOnly: true }] };
    const text = renderClusterDescription({ cluster: { ...agentCluster, connection: { ...connection, workloads } }, deployments: [], deploymentsTotal: 0, warmer: unsupported });
    expect(text).toMatch(/^ {2}Images:\s+vllm=registry\.example\/vllm:v1$/m);
    expect(text).toMatch(/^ {2}Registry mirror:\s+mirror\.example:5000$/m);
    expect(text).toMatch(/^ {2}Pull secret:\s+none$/m);
    expect(text).toMatch(/^ {2}Pull policy:\s+Kubernetes default$/m);
    expect(text).toMatch(/^ {2}Host mounts:\s+\/data:\/models:ro$/m);
    expect(text).toMatch(/^ {2}Services:\s+NodePort$/m);
    expect(text).not.toContain('Model volume');
  });
});

describe('renderWarmer', () => {
  it('prints the phase in words, the DaemonSet and its nodes, the sync, and one line per image with the runtimes using it', () => {
    const warming: ImageWarmerStatus = {
      ...unsupported,
      cluster: 'gpu',
      enabled: true,
      phase: 'warming',
      message: 'Pulling 2 images: 1 of 3 GPU nodes ready.',
      namespace: 'hmas',
      daemonSet: 'hmas-image-warmer',
      images: [
        { image: 'vllm/vllm-openai:v0.6.3', runtimes: ['vllm'] },
        { image: 'ghcr.io/ggml-org/llama.cpp:server', runtimes: ['llamacpp', 'embedded-llamacpp'] },
      ],
      nodes: { desired: 3, ready: 1, updated: 2 },
      lastError: 'Kubernetes refused the DaemonSet update',
      lastSyncAt: '2026-12-04T16:00:00.000Z',
      lastChangeAt: '2026-12-04T15:59:00.000Z',
    };
    expect(renderWarmer(warming)).toEqual([
      'Image warmer: warming — Pulling 2 images: 1 of 3 GPU nodes ready.',
      '  DaemonSet:    hmas/hmas-image-warmer',
      '  GPU nodes:    3 selected, 1 ready, 2 up to date',
      '  Last sync:    2026-12-04T16:00:00.000Z',
      '  Last change:  2026-12-04T15:59:00.000Z',
      '  Last error:   Kubernetes refused the DaemonSet update',
      '  Images:',
      '    vllm/vllm-openai:v0.6.3 (vllm)',
      '    ghcr.io/ggml-org/llama.cpp:server (llamacpp, embedded-llamacpp)',
    ]);
  });

  it('leaves out the DaemonSet before there is one and the error when the phase already says it', () => {
    const failed: ImageWarmerStatus = { ...unsupported, enabled: true, phase: 'error', message: 'The last sync failed: no access.', lastError: 'no access', lastSyncAt: '2026-12-04T16:00:00.000Z' };
    expect(renderWarmer(failed)).toEqual(['Image warmer: error — The last sync failed: no access.', '  Last sync:  2026-12-04T16:00:00.000Z']);
    expect(renderWarmer({ ...failed, phase: 'pending', message: 'Not checked yet.', lastSyncAt: null, lastError: null })).toEqual(['Image warmer: pending — Not checked yet.', '  Last sync:  never']);
  });
});

describe('migCell', () => {
  it('lists devices with their allocation, else the MIG state in words; nothing when the node says nothing', () => {
    expect(migCell(undefined)).toBeUndefined();
    expect(migCell({ capable: false, strategy: null, devices: [] })).toBe('not capable');
    expect(migCell({ capable: true, strategy: 'mixed', devices: [] })).toBe('capable, not partitioned, strategy mixed');
    expect(migCell({ capable: null, strategy: 'single', devices: [{ profile: '1g.5gb', count: 56, allocatable: 56, allocated: 4, memoryMiB: 5120 }] })).toBe('1g.5gb ×56 (4/56 allocated)');
  });
});
