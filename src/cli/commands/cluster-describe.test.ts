import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../domain/cluster.js';
import type { Deployment } from '../../domain/deployment.js';
import { migCell, renderClusterDescription } from './cluster-describe.js';

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

const deployment = (name: string) => ({ id: `00000000-0000-4000-8000-00000000000${name.length}`, name, modelName: 'tiny', runtime: 'vllm', status: 'running', statusSource: 'cached', readyReplicas: 1, replicas: 2 }) as Deployment;

describe('renderClusterDescription', () => {
  it('says what is not known yet, leaves out what does not apply, and says when the deployment list was cut', () => {
    const text = renderClusterDescription({ cluster: agentCluster, deployments: [deployment('a'), deployment('bb')], deploymentsTotal: 501 });
    expect(text).toMatch(/^Name:\s+edge-lab$/m);
    expect(text).toMatch(/^Labels:\s+none$/m);
    expect(text).toMatch(/^Readiness:\s+unknown — Waiting for the agent to connect\.$/m);
    expect(text).not.toContain('API server');
    expect(text).not.toContain('TLS verification');
    expect(text).toContain('Last test: none since it was registered or its connection changed.');
    expect(text).toContain('Nodes: not collected yet');
    expect(text).toMatch(/^Deployments \(501 — the first 2\):$/m);
    expect(text).toMatch(/^ {2}a\s+tiny\s+vllm\s+running \(cached\)\s+1\/2\s+/m);
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
