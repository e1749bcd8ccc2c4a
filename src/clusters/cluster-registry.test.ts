import { describe, expect, it } from 'vitest';
import type { Cluster, ConnectionKind, Inventory } from '../domain/cluster.js';
import { AppError } from '../lib/errors.js';
import type { ClusterDriver } from './cluster-driver.js';
import { createClusterRegistry, type StoredConnection } from './cluster-registry.js';

const HOST_ID = 'host-a';

function inventory(free: Array<[number, number]>): Inventory {
  return {
    collectedAt: '2030-01-01T00:00:00Z',
    nodes: free.map(([gpuAllocatable, gpuAllocated], index) => ({ name: `n${index}`, ready: true, gpus: [], gpuAllocatable, gpuAllocated, cpuCores: 8, memoryBytes: 1 })),
    totals: { nodes: free.length, readyNodes: free.length, gpus: 0, gpuAllocatable: 0, gpuAllocated: 0, gpuMemoryMiB: 0, cpuCores: 0, memoryBytes: 0 },
    notes: [],
  };
}

function cluster(kind: ConnectionKind, overrides: Partial<Cluster> = {}): Cluster {
  return {
    id: `id-${kind}`,
    name: kind === 'local' ? 'local' : `c-${kind}`,
    displayName: kind,
    type: 'GP',
    connection: { kind, server: null, context: null, namespace: null, memberCluster: null, insecureSkipTlsVerify: false, hasCredentials: kind !== 'local' },
    scheduler: 'default',
    labels: {},
    imagePrecache: true,
    readiness: { state: 'ready', lastCheckedAt: null, message: '' },
    lastTest: null,
    inventory: null,
    ownerHost: kind === 'local' ? { id: HOST_ID, hostname: 'a' } : null,
    createdAt: '2030-01-01T00:00:00Z',
    updatedAt: '2030-01-01T00:00:00Z',
    ...overrides,
  };
}

/** A driver that only records whether it was closed: the registry never calls anything else. */
function fakeDriver(label: string): ClusterDriver & { label: string; closed: number } {
  const driver = { label, closed: 0, close: async () => void (driver.closed += 1) };
  return driver as unknown as ClusterDriver & { label: string; closed: number };
}

const codeOf = async (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: unknown) => (error instanceof AppError ? `${error.statusCode} ${error.code}` : String(error)));

describe('cluster registry', () => {
  it('gives the host driver for cluster local only to the instance that owns it', async () => {
    const local = fakeDriver('local');
    const owner = createClusterRegistry({ nvidiaSmiCommand: 'nvidia-smi', hostId: HOST_ID, localDriver: () => local });
    expect(await owner.actingDriver(cluster('local'))).toBe(local);
    expect(owner.all()).toEqual([local]);

    const other = createClusterRegistry({ nvidiaSmiCommand: 'nvidia-smi', hostId: 'host-b', localDriver: () => undefined });
    expect(await other.actingDriver(cluster('local'))).toBeNull();
    expect(await codeOf(other.forCluster(cluster('local')))).toBe('409 CLUSTER_OWNED_BY_OTHER_HOST');
    // A driver present but a cluster owned by someone else: still not acted on.
    expect(await createClusterRegistry({ nvidiaSmiCommand: 'nvidia-smi', hostId: 'host-b', localDriver: () => local }).actingDriver(cluster('local'))).toBeNull();
  });

  it('answers 409 CLUSTER_KIND_NOT_SUPPORTED for a kind without a driver', async () => {
    const registry = createClusterRegistry({ nvidiaSmiCommand: 'nvidia-smi', hostId: HOST_ID });
    for (const kind of ['kubeconfig', 'federation', 'agent'] as const) {
      expect(await codeOf(registry.actingDriver(cluster(kind)))).toBe('409 CLUSTER_KIND_NOT_SUPPORTED');
      expect(await codeOf(registry.forCluster(cluster(kind)))).toBe('409 CLUSTER_KIND_NOT_SUPPORTED');
    }
  });

  it('makes one driver per stored cluster and connection revision, closing the old one when the cluster is re-pointed or forgotten', async () => {
    const stored: StoredConnection = { connection: { kind: 'kubeconfig', settings: {}, secrets: { kubeconfig: 'k' } }, version: 1 };
    const made: Array<ClusterDriver & { label: string; closed: number }> = [];
    const registry = createClusterRegistry({
      nvidiaSmiCommand: 'nvidia-smi',
      drivers: {
        kubeconfig: (target, connection) => {
          const driver = fakeDriver(`${target.name}@${connection.secrets.kubeconfig}`);
          made.push(driver);
          return driver;
        },
      },
      connectionOf: async () => stored,
    });
    const target = cluster('kubeconfig');
    const [first, second] = await Promise.all([registry.actingDriver(target), registry.forCluster(target)]);
    expect(first).toBe(second);
    expect(made.map((driver) => driver.label)).toEqual(['c-kubeconfig@k']);
    expect(registry.all()).toEqual([first]);

    stored.connection = { ...stored.connection, secrets: { kubeconfig: 'k2' } };
    stored.version = 2;
    const repointed = await registry.actingDriver(target);
    expect(made.map((driver) => [driver.label, driver.closed])).toEqual([
      ['c-kubeconfig@k', 1],
      ['c-kubeconfig@k2', 0],
    ]);
    expect(registry.all()).toEqual([repointed]);

    await registry.forget(target.id);
    expect(made[1]!.closed).toBe(1);
    expect(registry.all()).toEqual([]);
    await registry.forget(target.id);
    expect(made[1]!.closed).toBe(1);
  });

  it('counts free GPUs per kind: the host takes away what H-MAS holds, a cluster trusts its inventory', async () => {
    const registry = createClusterRegistry({ nvidiaSmiCommand: 'nvidia-smi' });
    const asked: string[] = [];
    const placed = (name: string) => ({ heldGpus: async () => (asked.push(name), 3) });
    const nodes = inventory([
      [2, 0],
      [4, 1],
    ]);
    expect(await registry.capacity(cluster('local', { inventory: nodes }), placed('local'))).toEqual({ freePerNode: [0, 2], clusterName: 'local' });
    expect(await registry.capacity(cluster('kubeconfig', { inventory: nodes }), placed('kubeconfig'))).toEqual({ freePerNode: [2, 3], clusterName: 'c-kubeconfig' });
    expect(await registry.capacity(cluster('agent'), placed('agent'))).toEqual({ freePerNode: [], clusterName: 'c-agent' });
    expect(asked).toEqual(['local']);
  });

  it('says only the local kind runs replicas as host processes', () => {
    const registry = createClusterRegistry({ nvidiaSmiCommand: 'nvidia-smi' });
    expect((['local', 'kubeconfig', 'federation', 'agent'] as const).filter((kind) => registry.runsOnHost(cluster(kind)))).toEqual(['local']);
  });

  it('resolves each kind through its own entry', () => {
    const registry = createClusterRegistry({ nvidiaSmiCommand: 'nvidia-smi' });
    expect(registry.resolve({ kind: 'local' })).toEqual({ kind: 'local', settings: {}, secrets: {} });
    expect(registry.resolve({ kind: 'agent' })).toEqual({ kind: 'agent', settings: {}, secrets: {} });
    expect(() => registry.resolve({ kind: 'kubeconfig', kubeconfig: 'not: [yaml', namespace: 'hmas' })).toThrow(/kubeconfig/i);
  });
});
