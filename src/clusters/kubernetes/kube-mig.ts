import type { NodeMig } from '../../domain/cluster.js';
import { parseCount } from './quantity.js';

/** Labels GPU Feature Discovery puts on nodes about Multi-Instance GPU. */
export const MIG_CAPABLE_LABEL = 'nvidia.com/mig.capable';
export const MIG_STRATEGY_LABEL = 'nvidia.com/mig.strategy';
/** Under the mixed strategy the device plugin offers one resource per MIG profile: nvidia.com/mig-1g.10gb. */
export const MIG_RESOURCE_PREFIX = 'nvidia.com/mig-';
/** Under the single strategy GPU Feature Discovery appends the profile to the product: A100-SXM4-40GB-MIG-1g.5gb. */
const SINGLE_PRODUCT = /-MIG-(\d+g\.\d+gb)$/i;

export interface MigNodeInput {
  labels: Record<string, string>;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  /** The node's nvidia.com/gpu as reported (under the single strategy they are MIG devices). */
  gpu: { count: number; allocatable: number; allocated: number; memoryMiB: number | null; product: string | undefined };
  /** Devices held by pods on the node, by resource name. */
  allocatedOf: (resource: string) => number;
}

const int = (text: string | undefined): number | null => {
  const value = Number.parseInt(text ?? '', 10);
  return Number.isFinite(value) ? value : null;
};

/** The MIG resources a node offers (mixed strategy): `nvidia.com/mig-<profile>`. */
export const migResources = (capacity: Record<string, string>): string[] => Object.keys(capacity).filter((resource) => resource.startsWith(MIG_RESOURCE_PREFIX)).sort();

/**
 * What a node says about MIG, or undefined when it says nothing (no labels, no MIG resources).
 * Mixed: one entry per `nvidia.com/mig-<profile>` resource, memory from the
 * `nvidia.com/mig-<profile>.memory` label. Single: the node's GPUs are MIG devices of the
 * profile named at the end of `nvidia.com/gpu.product`.
 */
export function migFacts(node: MigNodeInput): NodeMig | undefined {
  const capableLabel = node.labels[MIG_CAPABLE_LABEL];
  const capable = capableLabel === 'true' ? true : capableLabel === 'false' ? false : null;
  const strategy = node.labels[MIG_STRATEGY_LABEL] ?? null;
  const devices: NodeMig['devices'] = migResources(node.capacity).map((resource) => {
    const profile = resource.slice(MIG_RESOURCE_PREFIX.length);
    return {
      profile,
      count: parseCount(node.capacity[resource]),
      allocatable: parseCount(node.allocatable[resource]),
      allocated: node.allocatedOf(resource),
      memoryMiB: int(node.labels[`${resource}.memory`]),
    };
  });
  const singleProfile = strategy === 'single' ? SINGLE_PRODUCT.exec(node.gpu.product ?? '')?.[1] : undefined;
  if (singleProfile && node.gpu.count > 0) {
    devices.push({ profile: singleProfile, count: node.gpu.count, allocatable: node.gpu.allocatable, allocated: node.gpu.allocated, memoryMiB: node.gpu.memoryMiB });
  }
  if (capable === null && strategy === null && devices.length === 0) return undefined;
  return { capable, strategy, devices };
}

/** A sentence about the node's MIG devices for the inventory's notes, or undefined when there are none. */
export function migNote(nodeName: string, mig: NodeMig | undefined): string | undefined {
  if (!mig || mig.devices.length === 0) return undefined;
  if (mig.strategy === 'single') {
    const list = mig.devices.map((device) => `${device.count} × ${device.profile}`).join(', ');
    return `Node ${nodeName} uses the MIG single strategy: its nvidia.com/gpu are MIG devices (${list}), not whole GPUs.`;
  }
  const list = mig.devices.map((device) => `${device.count} × ${MIG_RESOURCE_PREFIX}${device.profile}`).join(', ');
  return `Node ${nodeName} offers MIG devices (${list}); they are not counted as GPUs.`;
}
