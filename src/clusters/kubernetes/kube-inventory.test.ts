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
