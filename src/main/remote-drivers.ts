import type { DriverFactory, RemoteKind } from '../clusters/cluster-registry.js';
import type { ClusterDriver } from '../clusters/cluster-driver.js';
import { DEFAULT_CONNECTION_TIMEOUT_MS } from '../clusters/cluster-kinds.js';
import { createFederationConnector } from '../clusters/federation/federation-connector.js';
import { createFederationDriver } from '../clusters/federation/federation-driver.js';
import { singleMemberPlacement, type FederationPlacement } from '../clusters/federation/federation-placement.js';
import { federationTemplates } from '../clusters/federation/federation-templates.js';
import { createKubeObjectClient } from '../clusters/kubernetes/kube-object-client.js';
import { createKubeWorkloadClient } from '../clusters/kubernetes/kube-workload-client.js';
import { createKubernetesDriver } from '../clusters/kubernetes/kubernetes-driver.js';
import { parseKubeconfig } from '../clusters/kubernetes/kubeconfig.js';
import type { RuntimeImages } from '../clusters/kubernetes/workload-image.js';
import { InvalidConnectionError } from '../clusters/connection-error.js';
import { DEFAULT_CLUSTER_NAMESPACE } from '../domain/cluster.js';
import { RUNTIME_IDS } from '../domain/optimization.js';
import type { Logger } from '../lib/logger.js';
import { RUNTIMES } from '../runtimes/index.js';

export interface RemoteDriverDeps {
  /**
   * The driver of a Karmada member also registered in H-MAS (a kubeconfig cluster named like the
   * member), for dual updates; null when there is none.
   */
  memberDriver: (member: string) => Promise<ClusterDriver | null>;
  /**
   * How a federated deployment spreads over Karmada members (its placement strategy's `federation`
   * block, resource profiles resolved); null: the federation cluster's own member runs it all.
   */
  federationSpread: (deploymentId: string) => Promise<FederationPlacement | null>;
  /** The value of a named secret (deployment settings' `{ secretRef }`). */
  resolveSecret: (name: string) => Promise<string | undefined>;
  logger: Logger;
}

/** Each runtime's container image and commands, from its adapter (clusters/ does not import runtimes/). */
export function runtimeImagesFromAdapters(): RuntimeImages {
  return Object.fromEntries(
    RUNTIME_IDS.map((id) => {
      const adapter = RUNTIMES[id];
      return [id, { image: adapter.image ? `${adapter.image.repository}:${adapter.image.tag}` : null, hostCommand: adapter.command.host, containerCommand: adapter.command.container }];
    }),
  );
}

/** The drivers of the cluster kinds reached over the network, one per stored cluster (the registry caches them). */
export function remoteDriverFactories(deps: RemoteDriverDeps): Partial<Record<RemoteKind, DriverFactory>> {
  const runtimeImages = runtimeImagesFromAdapters();
  return {
    kubeconfig: (cluster, connection) => {
      if (!connection.secrets.kubeconfig) throw new InvalidConnectionError(`Cluster "${cluster.name}" has no stored kubeconfig; set connection.kubeconfig.`);
      return createKubernetesDriver({
        cluster: { name: cluster.name, type: cluster.type, scheduler: cluster.scheduler },
        kubeconfig: parseKubeconfig(connection.secrets.kubeconfig, connection.settings.context),
        namespace: connection.settings.namespace ?? DEFAULT_CLUSTER_NAMESPACE,
        ...(connection.settings.workloads ? { settings: connection.settings.workloads } : {}),
        runtimeImages,
        resolveSecret: deps.resolveSecret,
        logger: deps.logger.child({ cluster: cluster.name }),
      });
    },
    federation: (cluster, connection) => {
      if (!connection.secrets.kubeconfig) throw new InvalidConnectionError(`Cluster "${cluster.name}" has no stored kubeconfig; set connection.kubeconfig.`);
      const kubeconfig = parseKubeconfig(connection.secrets.kubeconfig, connection.settings.context);
      const namespace = connection.settings.namespace ?? DEFAULT_CLUSTER_NAMESPACE;
      const memberCluster = connection.settings.memberCluster ?? '';
      const logger = deps.logger.child({ cluster: cluster.name });
      return createFederationDriver({
        connector: createFederationConnector({ kubeconfig, memberCluster, timeoutMs: DEFAULT_CONNECTION_TIMEOUT_MS, now: () => new Date(), logger }),
        client: createKubeObjectClient(kubeconfig),
        templateClient: createKubeWorkloadClient(kubeconfig),
        namespace,
        memberCluster,
        placement: async (spec) => (await deps.federationSpread(spec.deploymentId)) ?? singleMemberPlacement(memberCluster),
        templates: federationTemplates({
          namespace,
          cluster: { name: cluster.name, type: cluster.type, scheduler: cluster.scheduler },
          images: runtimeImages,
          settings: connection.settings.workloads ?? {},
          resolveSecret: deps.resolveSecret,
        }),
        memberDriver: deps.memberDriver,
        logger,
      });
    },
  };
}
