import type { ClusterDriver } from '../../src/clusters/cluster-driver.js';
import type { WorkloadSpec } from '../../src/domain/workload.js';
import { NotFoundError } from '../../src/lib/errors.js';

/** One workload as a memory cluster holds it, with the URL its ready replicas would answer on. */
export interface MemoryWorkload {
  spec: WorkloadSpec;
  replicas: number;
  url: string;
}

/**
 * A cluster kept in memory, for tests of what H-MAS decides across clusters (failover) where
 * the real clusters are the Kubernetes node's (test/k8s): the driver calls it gets are recorded
 * in order (`observe` hears each before it acts), it can stop answering (`unreachable`), and
 * `holdNextApply()` makes the next apply land and then wait for `release()` — an instance that
 * dies (or stalls) between applying a workload and recording it. Upstreams are answered from
 * memory, as a watch-cache driver's are.
 */
export function createMemoryCluster(name: string, port: number) {
  const workloads = new Map<string, MemoryWorkload>();
  const calls: string[] = [];
  const state: { unreachable: boolean; observe?: (call: string) => Promise<void> } = { unreachable: false };
  let held: { landed: () => void; release: Promise<void> } | undefined;
  const reachable = () => {
    if (state.unreachable) throw new Error(`${name} does not answer`);
  };
  const heard = async (call: string) => {
    calls.push(call);
    await state.observe?.(call);
    reachable();
  };
  /** The next apply lands, then waits: `landed` resolves once it has, `release()` lets it return. */
  function holdNextApply(): { landed: Promise<void>; release: () => void } {
    let release!: () => void;
    let landed!: () => void;
    const landedPromise = new Promise<void>((resolve) => (landed = resolve));
    held = { landed, release: new Promise<void>((resolve) => (release = resolve)) };
    return { landed: landedPromise, release };
  }
  const driver = {
    async apply(spec: WorkloadSpec) {
      await heard(`apply ${spec.name}`);
      const existing = workloads.get(spec.name);
      workloads.set(spec.name, { spec, replicas: spec.replicas, url: `http://127.0.0.${port}:8000/v1` });
      const hold = held;
      held = undefined;
      if (hold) {
        hold.landed();
        await hold.release;
      }
      return { changed: existing?.spec.specHash !== spec.specHash };
    },
    async scale(workload: string, replicas: number) {
      await heard(`scale ${workload} ${replicas}`);
      const found = workloads.get(workload);
      if (!found) throw new NotFoundError('workload', workload);
      found.replicas = replicas;
    },
    async remove(workload: string) {
      await heard(`remove ${workload}`);
      return { removed: workloads.delete(workload) };
    },
    async list() {
      return [...workloads.values()].map(({ spec, replicas }) => ({ name: spec.name, deploymentId: spec.deploymentId, specHash: spec.specHash, replicas }));
    },
    async upstreams(workload: string) {
      const found = workloads.get(workload);
      return found && found.replicas > 0 ? [{ url: found.url, token: null }] : [];
    },
    async close() {},
  };
  return { name, workloads, calls, state, holdNextApply, driver: driver as unknown as ClusterDriver & typeof driver };
}

export type MemoryCluster = ReturnType<typeof createMemoryCluster>;
