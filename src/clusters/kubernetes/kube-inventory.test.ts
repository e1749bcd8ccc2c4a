import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildKubeInventory, podGpuRequest, type NodeFacts, type PodFacts } from './kube-inventory.js';

const recorded = (file: string) => JSON.parse(readFileSync(new URL(`../../../test/fakes/kube/${file}`, import.meta.url), 'utf8'));

/** The same mapping the client applies to deserialized objects, on the recorded JSON. */
function nodeFacts(node: { metadata: { name: string; labels: Record<string, string> }; status: { capacity: Record<string, string>; allocatable: Record<string, string>; conditions: Array<{ type: string; status: string }> } }): NodeFacts {
  return {
    name: node.metadata.name,
    labels: node.metadata.labels,
    capacity: node.status.capacity,
    allocatable: node.status.allocatable,
    ready: node.status.conditions.some((condition) => condition.type === 'Ready' && condition.status === 'True'),
  };
}
function podFacts(pod: { spec: { nodeName?: string; containers: Array<{ resources?: PodFacts['containers'][number] }>; initContainers?: Array<{ resources?: PodFacts['containers'][number]; restartPolicy?: string }> }; status: { phase: string } }): PodFacts {
  return {
    nodeName: pod.spec.nodeName,
    phase: pod.status.phase,
    containers: pod.spec.containers.map((container) => ({ ...container.resources })),
    initContainers: (pod.spec.initContainers ?? []).map((container) => ({ ...container.resources, ...(container.restartPolicy ? { restartPolicy: container.restartPolicy } : {}) })),
  };
}

const nodes: NodeFacts[] = recorded('nodes.json').items.map(nodeFacts);
const pods: PodFacts[] = recorded('pods.json').items.map(podFacts);
const at = new Date('2024-10-07T09:32:00Z');

describe('buildKubeInventory', () => {
  it('reads GPU model, count and memory per node from the device plugin and GPU Feature Discovery', () => {
    const inventory = buildKubeInventory(nodes, pods, at);
    expect(inventory.nodes.map((node) => [node.name, node.ready, node.gpus])).toEqual([
      ['cp-1', true, []],
      ['gpu-h100-1', true, [{ model: 'NVIDIA-H100-80GB-HBM3', memoryMiB: 81559, count: 8 }]],
      ['gpu-l40s-1', false, [{ model: 'NVIDIA-L40S', memoryMiB: 46068, count: 4 }]],
    ]);
    expect(inventory.nodes[1]).toMatchObject({ cpuCores: 224, memoryBytes: 2113407972 * 1024, gpuAllocatable: 8 });
  });

  it('counts GPUs requested by pods that hold them: not finished pods, not unscheduled ones', () => {
    const inventory = buildKubeInventory(nodes, pods, at);
    // h100: the 4-GPU vLLM pod (the finished 8-GPU job does not count); l40s: max(2 running, 1 init).
    expect(inventory.nodes.map((node) => node.gpuAllocated)).toEqual([0, 4, 2]);
    expect(inventory.totals).toEqual({
      nodes: 3,
      readyNodes: 2,
      gpus: 12,
      gpuAllocatable: 12,
      gpuAllocated: 6,
      gpuMemoryMiB: 8 * 81559 + 4 * 46068,
      cpuCores: 304,
      memoryBytes: (65842396 + 2113407972 + 528262820) * 1024,
    });
    expect(inventory.notes).toEqual([]);
    expect(inventory.collectedAt).toBe('2024-10-07T09:32:00.000Z');
  });

  it('says GPU allocation is unknown when pods could not be listed', () => {
    const inventory = buildKubeInventory(nodes, undefined, at, 'listing pods failed: HTTP 403');
    expect(inventory.totals.gpuAllocated).toBe(0);
    expect(inventory.notes).toEqual(['GPU allocation unknown: listing pods failed: HTTP 403.']);
  });

  it('names a GPU without product label and notes MIG devices it does not count', () => {
    const inventory = buildKubeInventory(
      [{ name: 'n', labels: {}, capacity: { 'nvidia.com/gpu': '2', 'nvidia.com/mig-1g.10gb': '7' }, allocatable: { 'nvidia.com/gpu': '2' }, ready: true }],
      [],
      at,
    );
    expect(inventory.nodes[0]?.gpus).toEqual([{ model: 'NVIDIA GPU (model not labelled)', memoryMiB: null, count: 2 }]);
    expect(inventory.notes).toEqual([expect.stringContaining('nvidia.com/mig-1g.10gb')]);
  });
});

describe('buildKubeInventory: MIG', () => {
  const migPod = (nodeName: string, resource: string, amount: string, phase = 'Running'): PodFacts => ({ nodeName, phase, containers: [{ limits: { [resource]: amount } }], initContainers: [] });

  it('reads GPU Feature Discovery\'s MIG labels on the recorded nodes: capable with no MIG devices, and not capable', () => {
    const inventory = buildKubeInventory(nodes, pods, at);
    expect(inventory.nodes.map((node) => node.mig)).toEqual([undefined, { capable: true, strategy: 'single', devices: [] }, { capable: false, strategy: null, devices: [] }]);
    expect(inventory.notes).toEqual([]);
  });

  it('lists mixed-strategy MIG devices per profile with their memory and what pods hold, apart from whole GPUs', () => {
    const node: NodeFacts = {
      name: 'a100-mixed',
      ready: true,
      labels: { 'nvidia.com/mig.capable': 'true', 'nvidia.com/mig.strategy': 'mixed', 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB', 'nvidia.com/gpu.memory': '81920', 'nvidia.com/mig-1g.10gb.memory': '9856', 'nvidia.com/mig-3g.40gb.memory': '40192' },
      capacity: { 'nvidia.com/gpu': '1', 'nvidia.com/mig-1g.10gb': '7', 'nvidia.com/mig-3g.40gb': '2' },
      allocatable: { 'nvidia.com/gpu': '1', 'nvidia.com/mig-1g.10gb': '7', 'nvidia.com/mig-3g.40gb': '2' },
    };
    const held = [migPod('a100-mixed', 'nvidia.com/mig-1g.10gb', '2'), migPod('a100-mixed', 'nvidia.com/mig-1g.10gb', '1'), migPod('a100-mixed', 'nvidia.com/mig-3g.40gb', '1', 'Succeeded'), migPod('a100-mixed', 'nvidia.com/gpu', '1')];
    const inventory = buildKubeInventory([node], held, at);
    expect(inventory.nodes[0]).toMatchObject({ gpus: [{ model: 'NVIDIA-A100-SXM4-80GB', memoryMiB: 81920, count: 1 }], gpuAllocatable: 1, gpuAllocated: 1 });
    expect(inventory.nodes[0]?.mig).toEqual({
      capable: true,
      strategy: 'mixed',
      devices: [
        { profile: '1g.10gb', count: 7, allocatable: 7, allocated: 3, memoryMiB: 9856 },
        { profile: '3g.40gb', count: 2, allocatable: 2, allocated: 0, memoryMiB: 40192 },
      ],
    });
    expect(inventory.totals.gpus).toBe(1);
    expect(inventory.notes).toEqual(['Node a100-mixed offers MIG devices (7 × nvidia.com/mig-1g.10gb, 2 × nvidia.com/mig-3g.40gb); they are not counted as GPUs.']);
  });

  it('reads the single strategy from the product label: the node\'s nvidia.com/gpu are MIG devices', () => {
    const node: NodeFacts = {
      name: 'a100-single',
      ready: true,
      labels: { 'nvidia.com/mig.strategy': 'single', 'nvidia.com/gpu.product': 'A100-SXM4-40GB-MIG-1g.5gb', 'nvidia.com/gpu.count': '56', 'nvidia.com/gpu.memory': '5120' },
      capacity: { 'nvidia.com/gpu': '56' },
      allocatable: { 'nvidia.com/gpu': '56' },
    };
    const inventory = buildKubeInventory([node], [migPod('a100-single', 'nvidia.com/gpu', '4')], at);
    expect(inventory.nodes[0]?.mig).toEqual({ capable: null, strategy: 'single', devices: [{ profile: '1g.5gb', count: 56, allocatable: 56, allocated: 4, memoryMiB: 5120 }] });
    expect(inventory.nodes[0]?.gpus).toEqual([{ model: 'A100-SXM4-40GB-MIG-1g.5gb', memoryMiB: 5120, count: 56 }]);
    expect(inventory.notes).toEqual(['Node a100-single uses the MIG single strategy: its nvidia.com/gpu are MIG devices (56 × 1g.5gb), not whole GPUs.']);
  });

  it('shows GPUs that GPU Feature Discovery counts but the device plugin does not offer, with nothing allocatable', () => {
    const node: NodeFacts = { name: 'no-plugin', ready: true, labels: { 'nvidia.com/gpu.count': '2', 'nvidia.com/gpu.product': 'NVIDIA-L4', 'nvidia.com/gpu.memory': '23034' }, capacity: {}, allocatable: {} };
    const inventory = buildKubeInventory([node], [], at);
    expect(inventory.nodes[0]).toMatchObject({ gpus: [{ model: 'NVIDIA-L4', memoryMiB: 23034, count: 2 }], gpuAllocatable: 0, gpuAllocated: 0 });
    expect(inventory.nodes[0]?.mig).toBeUndefined();
    expect(inventory.notes).toEqual(['Node no-plugin: GPU Feature Discovery labels 2 GPU(s), but the device plugin offers no nvidia.com/gpu: none can be allocated.']);
  });
});

describe('podGpuRequest', () => {
  it('uses the limit when only a limit is set, as Kubernetes does for extended resources', () => {
    expect(podGpuRequest({ nodeName: 'n', phase: 'Running', containers: [{ limits: { 'nvidia.com/gpu': '2' } }], initContainers: [] })).toBe(2);
  });

  it('adds sidecars to the app containers and takes the larger of that and the biggest init container', () => {
    const sidecar = { requests: { 'nvidia.com/gpu': '1' }, restartPolicy: 'Always' };
    const init = { requests: { 'nvidia.com/gpu': '4' } };
    expect(podGpuRequest({ nodeName: 'n', phase: 'Running', containers: [{ requests: { 'nvidia.com/gpu': '2' } }], initContainers: [sidecar] })).toBe(3);
    expect(podGpuRequest({ nodeName: 'n', phase: 'Running', containers: [{ requests: { 'nvidia.com/gpu': '2' } }], initContainers: [sidecar, init] })).toBe(4);
  });
});
