import { useState } from 'react';
import { useDeployments } from '../../api/deployment-hooks';
import type { Cluster } from '../../api/types';
import type { PageWindow } from '../../components/ListPanel';
import { ListPanel } from '../../components/ListPanel';
import { instanceColumns } from '../instances/instance-columns';

/** The instances' columns, less the cluster (this one) and the endpoint (on each instance's page). */
const columns = instanceColumns.filter((column) => column.header !== 'Cluster' && column.header !== 'Endpoint');

/** The deployments placed on this cluster (GET /api/deployments?cluster=), live status, paged. */
export function ClusterDeploymentsSection({ cluster }: { cluster: Cluster }) {
  const [page, setPage] = useState<PageWindow>({ limit: 25, offset: 0 });
  const deployments = useDeployments({ ...page, cluster: cluster.name });
  return (
    <ListPanel
      title="Deployments"
      header={{ description: `Instances placed on ${cluster.name}, with their live status.` }}
      caption={`Deployments on ${cluster.name}`}
      list={deployments}
      errorTitle={`Could not load the deployments on ${cluster.name}.`}
      columns={columns}
      rowKey={(deployment) => deployment.id}
      empty="No deployments on this cluster."
      page={page}
      onPageChange={setPage}
      pagesLabel="Deployment pages"
      dense
    />
  );
}
