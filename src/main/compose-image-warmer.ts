import { InvalidConnectionError } from '../clusters/connection-error.js';
import { daemonSetApiOf } from '../clusters/kubernetes/image-warmer-client.js';
import { runtimeImageOn, warmerRenderOptions } from '../clusters/kubernetes/image-warmer-images.js';
import { createKubeWorkloadClient } from '../clusters/kubernetes/kube-workload-client.js';
import { parseKubeconfig } from '../clusters/kubernetes/kubeconfig.js';
import type { DatabaseHandle } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import { imageWarmerLoop } from '../reconcilers/image-warmer-loop.js';
import type { Reconciler } from '../reconcilers/reconciler.js';
import { isRuntimeId } from '../runtimes/index.js';
import { registerImageWarmerRoutes } from '../server/routes/image-warmer.routes.js';
import type { ZodApp } from '../server/routes/route-types.js';
import type { ClusterRepo, ClusterRow } from '../services/clusters/cluster-repo.js';
import type { ClusterService } from '../services/clusters/cluster-service.js';
import { createImageWarmerRepo } from '../services/clusters/image-warmer-repo.js';
import { createImageWarmerService } from '../services/clusters/image-warmer-service.js';
import { runtimeImagesFromAdapters } from './remote-drivers.js';

/** The image warmer, wired: a DaemonSet per kubeconfig cluster pulling the images of the runtimes deployed there. */
export function composeImageWarmer(deps: {
  database: DatabaseHandle;
  clusterRepo: ClusterRepo;
  clusters: Pick<ClusterService, 'storedConnection'>;
  logger: Logger;
}): { features: Array<(app: ZodApp) => void>; reconcilers: Reconciler[] } {
  const runtimeImages = runtimeImagesFromAdapters();
  const workloadSettings = (cluster: ClusterRow) => cluster.connection.workloads ?? {};
  const warmer = createImageWarmerService({
    repo: createImageWarmerRepo(deps.database.db),
    clusters: deps.clusterRepo,
    connect: async (cluster) => {
      const { connection } = await deps.clusters.storedConnection(cluster);
      if (!connection.secrets.kubeconfig) throw new InvalidConnectionError(`Cluster "${cluster.name}" has no stored kubeconfig; set connection.kubeconfig.`);
      return daemonSetApiOf(createKubeWorkloadClient(parseKubeconfig(connection.secrets.kubeconfig, connection.settings.context)));
    },
    imageOf: (cluster, runtime) => (isRuntimeId(runtime) ? runtimeImageOn(runtime, runtimeImages, workloadSettings(cluster)) : null),
    renderOptions: (cluster) => warmerRenderOptions(workloadSettings(cluster)),
    logger: deps.logger.child({ component: 'image-warmer' }),
  });
  return { features: [(app) => registerImageWarmerRoutes(app, { warmer })], reconcilers: [imageWarmerLoop({ warmer })] };
}
