import { totalInventory, type Inventory, type InventoryNode } from '../../domain/cluster.js';
import { migFacts, migNote, migResources } from './kube-mig.js';
import { parseCount, parseQuantity } from './quantity.js';

/** The resource name of NVIDIA GPUs under the NVIDIA device plugin. */
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** Labels GPU Feature Discovery puts on GPU nodes. */
export const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';
export const GPU_MEMORY_LABEL = 'nvidia.com/gpu.memory';
export const GPU_COUNT_LABEL = 'nvidia.com/gpu.count';
const UNKNOWN_GPU_MODEL = 'NVIDIA GPU (model not labelled)';

/** What the inventory needs of a Node: plain data, so this file stays pure. */
export interface NodeFacts {
  name: string;
  labels: Record<string, string>;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  ready: boolean;
}

export interface ContainerResources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
  /** `Always` on an init container makes it a sidecar that runs beside the app containers. */
  restartPolicy?: string;
}

export interface PodFacts {
  nodeName: string | undefined;
  phase: string | undefined;
  containers: ContainerResources[];
  initContainers: ContainerResources[];
}

function requestOf(container: ContainerResources, resource: string): number {
  // For extended resources a limit alone implies an equal request.
  return parseCount(container.requests?.[resource] ?? container.limits?.[resource]);
}

/**
 * How much of an extended resource (nvidia.com/gpu, a MIG profile) a pod holds on its node, as
 * the scheduler counts it: app containers and sidecars run together; a plain init container
 * runs alone before them.
 */
export function podResourceRequest(pod: PodFacts, resource: string): number {
  const sidecars = pod.initContainers.filter((container) => container.restartPolicy === 'Always');
  const running = [...pod.containers, ...sidecars].reduce((sum, container) => sum + requestOf(container, resource), 0);
  const initPeak = pod.initContainers.filter((container) => container.restartPolicy !== 'Always').reduce((peak, container) => Math.max(peak, requestOf(container, resource)), 0);
  return Math.max(running, initPeak);
}

/** GPUs a pod holds on its node. */
export const podGpuRequest = (pod: PodFacts): number => podResourceRequest(pod, GPU_RESOURCE);

const TERMINATED = new Set(['Succeeded', 'Failed']);

/**
 * The GPU inventory of a Kubernetes cluster. `pods` undefined means they could not be listed:
 * allocation is then reported as 0 with a note saying why.
 */
export function buildKubeInventory(nodes: NodeFacts[], pods: PodFacts[] | undefined, collectedAt: Date, podsProblem?: string): Inventory {
  // Per node, per resource (nvidia.com/gpu and the MIG profiles): what running pods hold.
  const resources = [GPU_RESOURCE, ...new Set(nodes.flatMap((node) => migResources(node.capacity)))];
  const allocated = new Map<string, Map<string, number>>();
  for (const pod of pods ?? []) {
    if (!pod.nodeName || (pod.phase && TERMINATED.has(pod.phase))) continue;
    const onNode = allocated.get(pod.nodeName) ?? new Map<string, number>();
    for (const resource of resources) {
      const amount = podResourceRequest(pod, resource);
      if (amount > 0) onNode.set(resource, (onNode.get(resource) ?? 0) + amount);
    }
    allocated.set(pod.nodeName, onNode);
  }
  const notes: string[] = [];
  if (pods === undefined) notes.push(`GPU allocation unknown: ${podsProblem ?? 'pods could not be listed'}.`);

  const inventoryNodes: InventoryNode[] = nodes.map((node) => {
    const allocatedOf = (resource: string) => allocated.get(node.name)?.get(resource) ?? 0;
    const offered = parseCount(node.capacity[GPU_RESOURCE]);
    const memory = Number.parseInt(node.labels[GPU_MEMORY_LABEL] ?? '', 10);
    const memoryMiB = Number.isFinite(memory) ? memory : null;
    const product = node.labels[GPU_PRODUCT_LABEL];
    const gpu = { count: offered, allocatable: parseCount(node.allocatable[GPU_RESOURCE]), allocated: allocatedOf(GPU_RESOURCE), memoryMiB, product };
    const mig = migFacts({ labels: node.labels, capacity: node.capacity, allocatable: node.allocatable, gpu, allocatedOf });
    const note = migNote(node.name, mig);
    if (note) notes.push(note);
    // GPUs GPU Feature Discovery sees but the device plugin does not offer (not running, or all
    // of them split into MIG devices): shown, with nothing allocatable.
    const labelled = parseCount(node.labels[GPU_COUNT_LABEL]);
    const count = offered > 0 || (mig?.devices.length ?? 0) > 0 ? offered : labelled;
    if (offered === 0 && count > 0) notes.push(`Node ${node.name}: GPU Feature Discovery labels ${count} GPU(s), but the device plugin offers no ${GPU_RESOURCE}: none can be allocated.`);
    return {
      name: node.name,
      ready: node.ready,
      gpus: count > 0 ? [{ model: product ?? UNKNOWN_GPU_MODEL, memoryMiB, count }] : [],
      gpuAllocatable: gpu.allocatable,
      gpuAllocated: gpu.allocated,
      cpuCores: parseQuantity(node.capacity.cpu) ?? 0,
      memoryBytes: Math.round(parseQuantity(node.capacity.memory) ?? 0),
      ...(mig ? { mig } : {}),
    };
  });
  return { collectedAt: collectedAt.toISOString(), nodes: inventoryNodes, totals: totalInventory(inventoryNodes), notes };
}
