import type { ConnectionCheck, ConnectionInput, ConnectionKind, Inventory, KubernetesWorkloadSettings, ReadinessState } from '../domain/cluster.js';

/**
 * How H-MAS talks to one cluster. One implementation per connection kind (local host,
 * kubeconfig, Karmada federation, pull-mode agent). This is the seed of the `ClusterDriver`
 * interface: applying workloads, scaling, status, events and logs join `test` and
 * `inventory` here later, and a contract suite runs against every implementation.
 */
export interface ClusterConnector {
  readonly kind: ConnectionKind;
  /**
   * Checks that the cluster answers and what it has. Never throws for a cluster that is
   * down, refuses the credentials or does not answer in time: that is `ok: false` with the
   * reason. Resolves within the connector's timeout.
   */
  test(signal?: AbortSignal): Promise<ConnectorTestResult>;
  /** GPU inventory per node. Rejects with a readable message when the cluster cannot say. */
  inventory(signal?: AbortSignal): Promise<Inventory>;
}

export interface ConnectorTestResult {
  ok: boolean;
  message: string;
  checks: ConnectionCheck[];
  /** What the test says about the cluster's readiness (an agent not yet connected is notReady). */
  readiness: Exclude<ReadinessState, 'unknown'>;
  /** The inventory found while testing, when the test got that far. */
  inventory: Inventory | null;
}

/** Non-secret connection settings: stored in clear and shown in responses. */
export interface ConnectionSettings {
  server?: string;
  context?: string;
  namespace?: string;
  memberCluster?: string;
  insecureSkipTlsVerify?: boolean;
  /** How the Kubernetes driver runs workloads there (images, mirror, pull secret, mounts, in-cluster). */
  workloads?: KubernetesWorkloadSettings;
}

/** Secrets of a connection: stored sealed (AES-256-GCM), never shown, never logged. */
export interface ConnectionSecrets {
  kubeconfig?: string;
  agentToken?: string;
}

/** A validated connection, ready to store or to connect with. */
export interface ResolvedConnection {
  kind: ConnectionKind;
  settings: ConnectionSettings;
  secrets: ConnectionSecrets;
}

/** Every connection kind H-MAS knows: validation before saving, and connecting. */
export interface ConnectorRegistry {
  /**
   * Validates a connection as a client sent it (kubeconfig parsed, context resolved) and
   * splits it into settings and secrets. Throws `InvalidConnectionError` (400) with a message
   * that never quotes the secret.
   */
  resolve(input: ConnectionInput): ResolvedConnection;
  /** A connector for a stored (or just resolved) connection. */
  connect(connection: ResolvedConnection): ClusterConnector;
}
