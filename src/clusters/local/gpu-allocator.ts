import { runNvidiaSmi } from './local-connector.js';
import type { Replica, Workload } from './local-workload.js';

export interface GpuAllocatorDeps {
  /** Every workload of the driver: the GPUs their replicas hold are not free. */
  workloads: ReadonlyMap<string, Workload>;
  /** Indices of the host's GPUs (nvidia-smi's numbering); default: asked of `nvidiaSmiCommand`, none when it is absent. */
  gpuIndices?: () => Promise<number[]>;
  nvidiaSmiCommand: string;
  /** The server's CUDA_VISIBLE_DEVICES: a server restricted to some GPUs (`2,3`) gives replicas only those. */
  visibleDevices: string | undefined;
  nowMs: () => number;
}

export type GpuAssignment = { ok: true } | { ok: false; message: string };

export interface GpuAllocator {
  /**
   * GPUs for a replica whose spec asks for some, written to `replica.gpus`: the ones it had if
   * they are still free, else the lowest free ones. Null (no pinning) when the spec asks for
   * none or the host reports none.
   */
  assign(replica: Replica): Promise<GpuAssignment>;
}

export function createGpuAllocator(deps: GpuAllocatorDeps): GpuAllocator {
  // GPUs rarely change: nvidia-smi is asked at most once a minute.
  let gpuCache: { at: number; indices: Promise<number[]> } | null = null;
  const hostGpus = (): Promise<number[]> => {
    if (deps.gpuIndices) return deps.gpuIndices();
    if (!gpuCache || deps.nowMs() - gpuCache.at > 60_000) {
      gpuCache = { at: deps.nowMs(), indices: runNvidiaSmi(deps.nvidiaSmiCommand, 10_000).then((smi) => (smi.state === 'ok' ? smi.gpus.map((gpu) => gpu.index) : [])) };
    }
    return gpuCache.indices;
  };
  const allowedGpus = /^\d+(,\d+)*$/.test(deps.visibleDevices ?? '') ? new Set((deps.visibleDevices ?? '').split(',').map(Number)) : null;

  return {
    async assign(replica) {
      const wanted = replica.spec.resources.gpuCount;
      const host = wanted === 0 ? [] : (await hostGpus()).filter((index) => allowedGpus === null || allowedGpus.has(index));
      // From here on nothing awaits: two replicas starting at once cannot pick the same GPUs.
      if (host.length === 0) {
        replica.gpus = null;
        return { ok: true };
      }
      const held = new Set<number>();
      for (const workload of deps.workloads.values()) {
        for (const other of workload.replicas.values()) {
          const holds = other.state !== 'stopped' && !(other.state === 'failed' && other.pid === null);
          if (other !== replica && other.gpus !== null && holds) other.gpus.forEach((index) => held.add(index));
        }
      }
      const free = host.filter((index) => !held.has(index));
      if (replica.gpus !== null && replica.gpus.length === wanted && replica.gpus.every((index) => free.includes(index))) return { ok: true };
      if (free.length < wanted) {
        replica.gpus = null;
        return { ok: false, message: `Needs ${wanted} GPU(s); ${free.length} of the host's ${host.length} are free (the others are held by other replicas).` };
      }
      replica.gpus = free.slice(0, wanted);
      return { ok: true };
    },
  };
}
