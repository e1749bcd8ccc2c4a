import { totalInventory, type Inventory, type InventoryNode } from '../../domain/cluster.js';
import { parseCount, parseQuantity } from './quantity.js';

/** The resource name of NVIDIA GPUs under the NVIDIA device plugin. */
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** Labels GPU Feature Discovery puts on GPU nodes. */
export const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';
export const GPU_MEMORY_LABEL = 'nvidia.com/gpu.memory';
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

function gpuOf(container: ContainerResources): number {
  // For extended resources a limit alone implies an equal request.
  return parseCount(container.requests?.[GPU_RESOURCE] ?? container.limits?.[GPU_RESOURCE]);
}

/**
 * GPUs a pod holds on its node, as the scheduler counts them: app containers and sidecars
 * run together; a plain init container runs alone before them.
 */
export function podGpuRequest(pod: PodFacts): number {
  const sidecars = pod.initContainers.filter((container) => container.restartPolicy === 'Always');
  const running = [...pod.containers, ...sidecars].reduce((sum, container) => sum + gpuOf(container), 0);
  const initPeak = pod.initContainers.filter((container) => container.restartPolicy !== 'Always').reduce((peak, container) => Math.max(peak, gpuOf(container)), 0);
  return Math.max(running, initPeak);
}

const TERMINATED = new Set(['Succeeded', 'Failed']);

/**
 * The GPU inventory of a Kubernetes cluster. `pods` undefined means they could not be listed:
 * allocation is then reported as 0 with a note saying why.
 */
export function buildKubeInventory(nodes: NodeFacts[], pods: PodFacts[] | undefined, collectedAt: Date, podsProblem?: string): Inventory {
  const allocatedByNode = new Map<string, number>();
  for (const pod of pods ?? []) {
    if (!pod.nodeName || (pod.phase && TERMINATED.has(pod.phase))) continue;
    const gpus = podGpuRequest(pod);
    if (gpus > 0) allocatedByNode.set(pod.nodeName, (allocatedByNode.get(pod.nodeName) ?? 0) + gpus);
  }
  const notes: string[] = [];
  if (pods === undefined) notes.push(`GPU allocation unknown: ${podsProblem ?? 'pods could not be listed'}.`);

  const inventoryNodes: InventoryNode[] = nodes.map((node) => {
    const count = parseCount(node.capacity[GPU_RESOURCE]);
    const memoryMiB = Number.parseInt(node.labels[GPU_MEMORY_LABEL] ?? '', 10);
    const model = node.labels[GPU_PRODUCT_LABEL] ?? UNKNOWN_GPU_MODEL;
    const mig = Object.keys(node.capacity).filter((resource) => resource.startsWith('nvidia.com/mig-'));
    if (mig.length > 0) notes.push(`Node ${node.name} offers MIG devices (${mig.join(', ')}); they are not counted as GPUs.`);
    return {
      name: node.name,
      ready: node.ready,
      gpus: count > 0 ? [{ model, memoryMiB: Number.isFinite(memoryMiB) ? memoryMiB : null, count }] : [],
      gpuAllocatable: parseCount(node.allocatable[GPU_RESOURCE]),
      gpuAllocated: allocatedByNode.get(node.name) ?? 0,
      cpuCores: parseQuantity(node.capacity.cpu) ?? 0,
      memoryBytes: Math.round(parseQuantity(node.capacity.memory) ?? 0),
    };
  });
  return { collectedAt: collectedAt.toISOString(), nodes: inventoryNodes, totals: totalInventory(inventoryNodes), notes };
}
