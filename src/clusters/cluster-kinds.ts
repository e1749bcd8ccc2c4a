import type { ConnectionInput, ConnectionKind, Inventory } from '../domain/cluster.js';
import type { GpuCapacity } from '../domain/deployment-plan.js';
import type { Logger } from '../lib/logger.js';
import { createAgentConnector } from './agent/agent-connector.js';
import type { ClusterConnector, ResolvedConnection } from './cluster-connector.js';
import { InvalidConnectionError } from './connection-error.js';
import { createFederationConnector } from './federation/federation-connector.js';
import { parseKubeconfig } from './kubernetes/kubeconfig.js';
import { createKubernetesConnector } from './kubernetes/kubernetes-connector.js';
import { createLocalConnector, type HostFacts } from './local/local-connector.js';

export interface ConnectorOptions {
  nvidiaSmiCommand: string;
  /** Deadline of one test or inventory (default 10 s). */
  timeoutMs?: number;
  now?: () => Date;
  host?: () => HostFacts;
  /** Where exceptions that are not a cluster's fault are logged (answers never quote them). */
  logger?: Logger;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;

/** What the database says H-MAS has placed on a cluster, asked for only by kinds whose inventory cannot see it. */
export interface Placed {
  /** GPUs the cluster's other deployments hold (paused ones hold none). */
  heldGpus(): Promise<number>;
}

/** One connection kind: how a connection is checked and dialled, and how its free GPUs are counted. */
export interface ClusterKind<K extends ConnectionKind = ConnectionKind> {
  /**
   * Replicas run as processes on an H-MAS host, with no container boundary between them and the
   * host: the host's environment policy applies to what they are given (`domain/runtime-env-policy.ts`).
   */
  readonly hostProcesses: boolean;
  /**
   * Validates a connection as a client sent it and splits it into settings and secrets. Throws
   * `InvalidConnectionError` (400) with a message that never quotes the secret.
   */
  resolve(input: Extract<ConnectionInput, { kind: K }>): ResolvedConnection;
  /** A connector for a stored (or just resolved) connection. */
  connect(connection: ResolvedConnection): ClusterConnector;
  /**
   * Free GPUs per node for placement. A cluster's inventory counts what its scheduler placed;
   * the host's inventory (nvidia-smi) does not know which GPUs H-MAS's own processes hold, so
   * the local kind takes those away itself.
   */
  capacity(cluster: { name: string; inventory: Inventory | null }, placed: Placed): Promise<GpuCapacity>;
}

export type ClusterKinds = { [K in ConnectionKind]: ClusterKind<K> };

function freePerNode(inventory: Inventory | null): number[] {
  return (inventory?.nodes ?? []).map((node) => node.gpuAllocatable - node.gpuAllocated);
}

/** The inventory's own count: allocatable less allocated, per node. */
async function inventoryCapacity(cluster: { name: string; inventory: Inventory | null }): Promise<GpuCapacity> {
  return { freePerNode: freePerNode(cluster.inventory), clusterName: cluster.name };
}

/** The host's count less what H-MAS's deployments hold, taken from the first nodes on. */
async function hostCapacity(cluster: { name: string; inventory: Inventory | null }, placed: Placed): Promise<GpuCapacity> {
  const free = freePerNode(cluster.inventory);
  let held = await placed.heldGpus();
  for (let index = 0; index < free.length && held > 0; index += 1) {
    const take = Math.min(held, Math.max(0, free[index]!));
    free[index] = free[index]! - take;
    held -= take;
  }
  return { freePerNode: free, clusterName: cluster.name };
}

/** Settings and secrets of a connection given by a kubeconfig (a cluster's, or a Karmada API server's). */
function kubeconfigConnection(input: { kubeconfig: string; context?: string | undefined; namespace: string }): Pick<ResolvedConnection, 'settings' | 'secrets'> {
  const parsed = parseKubeconfig(input.kubeconfig, input.context);
  return {
    settings: { server: parsed.server, context: parsed.context, namespace: input.namespace, insecureSkipTlsVerify: parsed.insecureSkipTlsVerify },
    secrets: { kubeconfig: input.kubeconfig },
  };
}

/** The one table of connection kinds. TypeScript's exhaustiveness check points here when a kind is added. */
export function createClusterKinds(options: ConnectorOptions): ClusterKinds {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());
  const logged = options.logger ? { logger: options.logger } : {};

  const storedKubeconfig = (connection: ResolvedConnection) => {
    if (!connection.secrets.kubeconfig) throw new InvalidConnectionError('This connection has no stored kubeconfig; set connection.kubeconfig.');
    return parseKubeconfig(connection.secrets.kubeconfig, connection.settings.context);
  };

  return {
    local: {
      hostProcesses: true,
      resolve: () => ({ kind: 'local', settings: {}, secrets: {} }),
      connect: () => createLocalConnector({ nvidiaSmiCommand: options.nvidiaSmiCommand, timeoutMs, now, ...(options.host ? { host: options.host } : {}) }),
      capacity: hostCapacity,
    },
    agent: {
      hostProcesses: false,
      resolve: () => ({ kind: 'agent', settings: {}, secrets: {} }),
      connect: (connection) => createAgentConnector({ hasToken: Boolean(connection.secrets.agentToken) }),
      capacity: inventoryCapacity,
    },
    kubeconfig: {
      hostProcesses: false,
      resolve(input) {
        const connection = kubeconfigConnection(input);
        return { kind: 'kubeconfig', settings: { ...connection.settings, ...(input.workloads ? { workloads: input.workloads } : {}) }, secrets: connection.secrets };
      },
      connect: (connection) => createKubernetesConnector({ kubeconfig: storedKubeconfig(connection), timeoutMs, now, ...logged }),
      capacity: inventoryCapacity,
    },
    federation: {
      hostProcesses: false,
      resolve(input) {
        const connection = kubeconfigConnection(input);
        const workloads = input.workloads ? { workloads: input.workloads } : {};
        return { kind: 'federation', settings: { ...connection.settings, memberCluster: input.memberCluster, ...workloads }, secrets: connection.secrets };
      },
      connect: (connection) =>
        createFederationConnector({ kubeconfig: storedKubeconfig(connection), memberCluster: connection.settings.memberCluster ?? '', timeoutMs, now, ...logged }),
      capacity: inventoryCapacity,
    },
  };
}
