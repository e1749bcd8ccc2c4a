import { describe, expect, it } from 'vitest';
import { diffConfig, diffLeaves, gpusPerReplica, planGpuFit, planUpdate } from './deployment-plan.js';

const cluster = (freePerNode: number[]) => ({ freePerNode, clusterName: 'gpu-east' });

describe('planGpuFit', () => {
  it.each([
    ['CPU runtime needs nothing', 0, 3, [], true, 3],
    ['2 replicas × 2 GPUs on one 8-GPU node', 2, 2, [8], true, 4],
    ['4 GPUs per replica must be on one node: 3+3 free is not enough', 4, 1, [3, 3], false, 0],
    ['3 replicas × 2 GPUs on nodes with 4 and 2 free', 2, 3, [4, 2], true, 3],
    ['3 replicas × 2 GPUs on nodes with 3 and 3 free', 2, 3, [3, 3], false, 2],
    ['negative free (over-allocated node) counts as none', 1, 1, [-2, 1], true, 1],
  ])('%s', (_label, perReplica, replicas, free, fits, placeable) => {
    const plan = planGpuFit(perReplica, replicas, cluster(free));
    expect(plan.fits).toBe(fits);
    expect(plan.placeableReplicas).toBe(placeable);
  });

  it('puts the numbers in the message when it does not fit', () => {
    expect(planGpuFit(4, 2, cluster([4, 2])).message).toBe(
      "Needs 2 replica(s) × 4 GPU = 8 GPUs, each replica's GPUs on one node; gpu-east has 6 free (per node: 4, 2), room for 1 replica(s).",
    );
  });
});

describe('diffConfig', () => {
  it('lists changed leaves with dotted paths, added and removed keys as null', () => {
    expect(diffConfig({ replicas: 1, optimization: { tier1: { maxModelLength: 4096 }, raw: { extraArgs: ['a'] } } }, { replicas: 2, optimization: { tier1: { maxModelLength: 8192, dtype: 'auto' }, raw: { extraArgs: ['a'] } } })).toEqual([
      { path: 'optimization.tier1.dtype', before: null, after: 'auto' },
      { path: 'optimization.tier1.maxModelLength', before: 4096, after: 8192 },
      { path: 'replicas', before: 1, after: 2 },
    ]);
  });

  it('is empty for equal values', () => {
    expect(diffConfig({ a: [1, 2], b: { c: null } }, { a: [1, 2], b: { c: null } })).toEqual([]);
  });
});

describe('planUpdate', () => {
  const base = { specHashBefore: 'a', replicasBefore: 1, replicasAfter: 1, gpusPerReplicaAfter: 2 };

  it('needs no restart when only the replica count changes', () => {
    const plan = planUpdate({ ...base, specHashAfter: 'a', replicasAfter: 3, capacityWithOwn: cluster([8]) });
    expect(plan).toMatchObject({ restartRequired: false, strategy: 'RollingUpdate' });
    expect(plan.impact).toContain('Scales from 1 to 3');
  });

  it('rolls replicas one by one when the GPUs hold one extra copy', () => {
    expect(planUpdate({ ...base, specHashAfter: 'b', capacityWithOwn: cluster([4]) })).toMatchObject({ restartRequired: true, strategy: 'RollingUpdate' });
  });

  it('recreates when the GPUs cannot hold a second copy (e.g. a 70B model on all 8 GPUs)', () => {
    const plan = planUpdate({ ...base, specHashAfter: 'b', gpusPerReplicaAfter: 8, capacityWithOwn: cluster([8]) });
    expect(plan).toMatchObject({ restartRequired: true, strategy: 'Recreate' });
    expect(plan.reason).toContain('cannot hold a second copy');
    expect(plan.fit.fits).toBe(true);
  });

  it('rolls CPU-only deployments', () => {
    expect(planUpdate({ ...base, specHashAfter: 'b', gpusPerReplicaAfter: 0, capacityWithOwn: cluster([]) }).strategy).toBe('RollingUpdate');
  });

  it('reports a change that does not fit', () => {
    expect(planUpdate({ ...base, specHashAfter: 'a', replicasAfter: 5, capacityWithOwn: cluster([8]) }).fit.fits).toBe(false);
  });
});

describe('gpusPerReplica', () => {
  const model = { recommendation: { gpuCount: 4 } };
  it('takes the resource profile first, then none for a CPU runtime, then the model recommendation', () => {
    expect(gpusPerReplica('vllm', { gpuCount: 2 }, model)).toBe(2);
    expect(gpusPerReplica('llamacpp', { gpuCount: 1 }, model)).toBe(1);
    expect(gpusPerReplica('embedded-llamacpp', null, model)).toBe(0);
    expect(gpusPerReplica('ollama', null, model)).toBe(0);
    expect(gpusPerReplica('vllm', null, model)).toBe(4);
  });
  it('asks for one GPU when the model has no recommendation', () => {
    expect(gpusPerReplica('tgi', null, { recommendation: null })).toBe(1);
    expect(gpusPerReplica('tei', null, { recommendation: { gpuCount: null } })).toBe(1);
  });
});

describe('diffLeaves', () => {
  it('goes down to the leaves where diffConfig stops at a tier set or removed whole', () => {
    const before = { replicas: 1, resourceProfileId: null, optimization: { tier2: { threads: 1 } } };
    const after = { replicas: 1, resourceProfileId: 'p1', optimization: { tier1: { maxModelLength: 512, dtype: 'auto' }, tier2: { threads: 1 }, raw: { extraArgs: ['--x'] } } };
    expect(diffConfig(before, after).map((change) => change.path)).toEqual(['optimization.raw', 'optimization.tier1', 'resourceProfileId']);
    expect(diffLeaves(before, after)).toEqual([
      { path: 'resourceProfileId', before: null, after: 'p1' },
      { path: 'optimization.tier1.maxModelLength', before: null, after: 512 },
      { path: 'optimization.tier1.dtype', before: null, after: 'auto' },
      { path: 'optimization.raw.extraArgs', before: null, after: ['--x'] },
    ]);
    expect(diffLeaves(after, before).map((change) => [change.path, change.after])).toEqual([
      ['resourceProfileId', null],
      ['optimization.tier1.maxModelLength', null],
      ['optimization.tier1.dtype', null],
      ['optimization.raw.extraArgs', null],
    ]);
  });

  it('expands one change of a server diff under its path, and finds nothing between equal values', () => {
    expect(diffLeaves({ maxModelLength: 512 }, null, 'optimization.tier1')).toEqual([{ path: 'optimization.tier1.maxModelLength', before: 512, after: null }]);
    expect(diffLeaves({ a: { b: [1, 2] } }, { a: { b: [1, 2] } })).toEqual([]);
    expect(diffLeaves(1, 2, 'replicas')).toEqual([{ path: 'replicas', before: 1, after: 2 }]);
  });
});
