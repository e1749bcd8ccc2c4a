import type { NodeMig } from './cluster.js';

/**
 * A node's MIG facts in words, for the web UI and the CLI (zod-free, so the UI bundle may import
 * it): its devices, "1g.10gb ×7 (3/7 allocated)", and its state ("strategy mixed", "not capable",
 * "capable, not partitioned, strategy single"). Null when the node says nothing about MIG.
 */
export function migSummary(mig: NodeMig | undefined): { devices: string[]; state: string } | null {
  if (!mig) return null;
  const strategy = mig.strategy ? `strategy ${mig.strategy}` : null;
  if (mig.devices.length > 0) {
    const devices = mig.devices.map((device) => `${device.profile} ×${device.count} (${device.allocated}/${device.allocatable} allocated)`);
    return { devices, state: strategy ?? 'MIG devices' };
  }
  if (mig.capable === false) return { devices: [], state: 'not capable' };
  return { devices: [], state: [mig.capable ? 'capable, not partitioned' : 'no devices', strategy].filter(Boolean).join(', ') };
}
