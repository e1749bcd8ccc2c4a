import type { ConnectionInput } from '../domain/cluster.js';
import type { Logger } from '../lib/logger.js';
import { createAgentConnector } from './agent/agent-connector.js';
import type { ClusterConnector, ConnectorRegistry, ResolvedConnection } from './cluster-connector.js';
import { InvalidConnectionError } from './connection-error.js';
import { createFederationConnector } from './federation/federation-connector.js';
import { parseKubeconfig } from './kubernetes/kubeconfig.js';
import { createKubernetesConnector } from './kubernetes/kubernetes-connector.js';
import { createLocalConnector, type HostFacts } from './local/local-connector.js';

export interface ConnectorRegistryOptions {
  nvidiaSmiCommand: string;
  /** Deadline of one test or inventory (default 10 s). */
  timeoutMs?: number;
  now?: () => Date;
  host?: () => HostFacts;
  /** Where exceptions that are not a cluster's fault are logged (answers never quote them). */
  logger?: Logger;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;

/** The one place that knows every connection kind. */
export function createConnectorRegistry(options: ConnectorRegistryOptions): ConnectorRegistry {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());

  const storedKubeconfig = (connection: ResolvedConnection) => {
    if (!connection.secrets.kubeconfig) throw new InvalidConnectionError('This connection has no stored kubeconfig; set connection.kubeconfig.');
    return parseKubeconfig(connection.secrets.kubeconfig, connection.settings.context);
  };

  return {
    resolve(input: ConnectionInput): ResolvedConnection {
      switch (input.kind) {
        case 'local':
          return { kind: 'local', settings: {}, secrets: {} };
        case 'agent':
          return { kind: 'agent', settings: {}, secrets: {} };
        case 'kubeconfig': {
          const parsed = parseKubeconfig(input.kubeconfig, input.context);
          return {
            kind: 'kubeconfig',
            settings: {
              server: parsed.server,
              context: parsed.context,
              namespace: input.namespace,
              insecureSkipTlsVerify: parsed.insecureSkipTlsVerify,
              ...(input.workloads ? { workloads: input.workloads } : {}),
            },
            secrets: { kubeconfig: input.kubeconfig },
          };
        }
        case 'federation': {
          const parsed = parseKubeconfig(input.kubeconfig, input.context);
          return {
            kind: 'federation',
            settings: { server: parsed.server, context: parsed.context, namespace: input.namespace, memberCluster: input.memberCluster, insecureSkipTlsVerify: parsed.insecureSkipTlsVerify },
            secrets: { kubeconfig: input.kubeconfig },
          };
        }
      }
    },

    connect(connection: ResolvedConnection): ClusterConnector {
      switch (connection.kind) {
        case 'local':
          return createLocalConnector({ nvidiaSmiCommand: options.nvidiaSmiCommand, timeoutMs, now, ...(options.host ? { host: options.host } : {}) });
        case 'agent':
          return createAgentConnector({ hasToken: Boolean(connection.secrets.agentToken) });
        case 'kubeconfig':
          return createKubernetesConnector({ kubeconfig: storedKubeconfig(connection), timeoutMs, now, ...(options.logger ? { logger: options.logger } : {}) });
        case 'federation':
          return createFederationConnector({
            kubeconfig: storedKubeconfig(connection),
            memberCluster: connection.settings.memberCluster ?? '',
            timeoutMs,
            now,
            ...(options.logger ? { logger: options.logger } : {}),
          });
      }
    },
  };
}
