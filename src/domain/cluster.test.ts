import { describe, expect, it } from 'vitest';
import {
  clusterLabelsSchema,
  clusterNameSchema,
  connectionInputSchema,
  createClusterSchema,
  groupGpus,
  labelKeyProblem,
  labelValueProblem,
  totalInventory,
  updateClusterSchema,
} from './cluster.js';

describe('cluster names', () => {
  it.each(['local', 'gpu-east-1', 'a', 'x'.repeat(63)])('accepts the DNS-1123 label %s', (name) => {
    expect(clusterNameSchema.safeParse(name).success).toBe(true);
  });
  it.each(['', 'GPU', '-a', 'a-', 'a_b', 'a.b', 'x'.repeat(64)])('refuses %j', (name) => {
    const parsed = clusterNameSchema.safeParse(name);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/DNS-1123 label/);
  });
});

describe('cluster labels', () => {
  it('accepts Kubernetes label keys with and without a prefix, and empty values', () => {
    expect(clusterLabelsSchema.parse({ region: 'us-east', 'topology.kubernetes.io/zone': 'us-east-1a', 'hmas.io/tier': '', 'GPU_Class.v2': 'H100' })).toEqual({
      region: 'us-east',
      'topology.kubernetes.io/zone': 'us-east-1a',
      'hmas.io/tier': '',
      'GPU_Class.v2': 'H100',
    });
  });

  it('says what is wrong with a key or value', () => {
    expect(labelKeyProblem('bad key!')).toMatch(/may use only letters, digits/);
    expect(labelKeyProblem('/name')).toMatch(/empty prefix/);
    expect(labelKeyProblem('Example.COM/name')).toMatch(/prefix "Example.COM" must be a DNS subdomain/);
    expect(labelKeyProblem('example.com/')).toMatch(/empty name/);
    expect(labelKeyProblem('x'.repeat(64))).toMatch(/longer than 63/);
    expect(labelKeyProblem(`${'a'.repeat(254)}/x`)).toMatch(/longer than 253/);
    expect(labelValueProblem('tier', '-gold')).toMatch(/label "tier" has value "-gold"/);
    expect(labelValueProblem('tier', 'v'.repeat(64))).toMatch(/longer than 63/);
  });

  it('refuses bad labels with the label as the issue path', () => {
    const parsed = clusterLabelsSchema.safeParse({ ok: 'yes', 'bad key!': 'x' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([expect.objectContaining({ path: ['bad key!'], message: expect.stringMatching(/label key "bad key!"/) })]);
  });

  it('refuses more than 64 labels', () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, index) => [`l${index}`, 'v']));
    expect(clusterLabelsSchema.safeParse(many).error?.issues[0]?.message).toBe('At most 64 labels.');
  });
});

describe('connection input', () => {
  it('defaults the namespace of kubeconfig and federation connections to hmas', () => {
    expect(connectionInputSchema.parse({ kind: 'kubeconfig', kubeconfig: 'apiVersion: v1' })).toEqual({ kind: 'kubeconfig', kubeconfig: 'apiVersion: v1', namespace: 'hmas' });
    expect(connectionInputSchema.parse({ kind: 'federation', kubeconfig: 'k', memberCluster: 'member-1' })).toMatchObject({ namespace: 'hmas' });
  });

  it('refuses unknown kinds, unknown fields and a federation without member cluster', () => {
    expect(connectionInputSchema.safeParse({ kind: 'ssh' }).success).toBe(false);
    expect(connectionInputSchema.safeParse({ kind: 'agent', token: 'x' }).success).toBe(false);
    expect(connectionInputSchema.safeParse({ kind: 'federation', kubeconfig: 'k' }).success).toBe(false);
    expect(connectionInputSchema.safeParse({ kind: 'kubeconfig', kubeconfig: '' }).success).toBe(false);
  });

  it('fills create defaults: GP, default scheduler, no labels, image pre-caching on', () => {
    expect(createClusterSchema.parse({ name: 'c1', connection: { kind: 'agent' } })).toEqual({
      name: 'c1',
      type: 'GP',
      connection: { kind: 'agent' },
      scheduler: 'default',
      labels: {},
      imagePrecache: true,
    });
  });

  it('lets a patch leave everything out, the kubeconfig included', () => {
    expect(updateClusterSchema.parse({ connection: { kind: 'kubeconfig', namespace: 'prod' } })).toEqual({ connection: { kind: 'kubeconfig', namespace: 'prod' } });
    expect(updateClusterSchema.safeParse({ name: 'rename' }).success).toBe(false);
  });
});

describe('inventory', () => {
  it('groups GPUs by model and memory', () => {
    expect(groupGpus([{ model: 'H100', memoryMiB: 81559 }, { model: 'H100', memoryMiB: 81559 }, { model: 'L4', memoryMiB: null }])).toEqual([
      { model: 'H100', memoryMiB: 81559, count: 2 },
      { model: 'L4', memoryMiB: null, count: 1 },
    ]);
  });

  it('sums nodes into totals, counting GPU memory only where known', () => {
    const node = (name: string, ready: boolean, gpus: Array<{ model: string; memoryMiB: number | null; count: number }>, allocated: number) => ({
      name,
      ready,
      gpus,
      gpuAllocatable: gpus.reduce((sum, group) => sum + group.count, 0),
      gpuAllocated: allocated,
      cpuCores: 8,
      memoryBytes: 1024,
    });
    expect(
      totalInventory([node('a', true, [{ model: 'H100', memoryMiB: 80, count: 2 }], 1), node('b', false, [{ model: 'X', memoryMiB: null, count: 3 }], 0)]),
    ).toEqual({ nodes: 2, readyNodes: 1, gpus: 5, gpuAllocatable: 5, gpuAllocated: 1, gpuMemoryMiB: 160, cpuCores: 16, memoryBytes: 2048 });
  });
});
