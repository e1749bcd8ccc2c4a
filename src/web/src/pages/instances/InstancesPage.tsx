import { useState } from 'react';
import { useClusters } from '../../api/cluster-hooks';
import { useDeployments } from '../../api/deployment-hooks';
import type { DeploymentStatus } from '../../api/types';
import { useCanOperate } from '../../auth/current-user';
import { AddButton } from '../../components/ListButtons';
import { ListPanel } from '../../components/ListPanel';
import { PageHeader } from '../../components/PageHeader';
import { SearchFilters } from '../../components/SearchFilters';
import { useDocumentTitle } from '../../lib/use-document-title';
import { useListFilters } from '../../lib/use-list-filters';
import { useNotice } from '../../lib/use-notice';
import { DeployDrawer } from './DeployDrawer';
import { instanceColumns } from './instance-columns';
import { DEPLOYMENT_STATUSES } from './instance-format';

type InstanceFilters = { status: DeploymentStatus | ''; cluster: string; q: string };

export function InstancesPage() {
  useDocumentTitle('Instances');
  const canManage = useCanOperate();
  const { filters, setFilters, filtered, page, setPage } = useListFilters<InstanceFilters>({ status: '', cluster: '', q: '' });
  const deployments = useDeployments({ ...page, status: filters.status || undefined, cluster: filters.cluster || undefined, q: filters.q || undefined });
  const clusters = useClusters(500, 0);
  const [deploying, setDeploying] = useState(false);
  // A deleted instance's page sends its notice along.
  const notice = useNotice();

  return (
    <>
      <PageHeader
        title="Instances"
        description="Models serving on your clusters: status, replicas and endpoints, refreshed every 10 seconds."
        actions={canManage && <AddButton onClick={() => setDeploying(true)}>Deploy model</AddButton>}
      />
      <ListPanel
        title="Instances"
        list={deployments}
        errorTitle="Could not load the instances."
        notice={notice}
        toolbar={
          <SearchFilters
            label="Instance filters"
            selects={[
              { key: 'status', label: 'Status', allLabel: 'All statuses', options: DEPLOYMENT_STATUSES },
              { key: 'cluster', label: 'Cluster', allLabel: 'All clusters', options: clusters.data?.items.map((cluster) => cluster.name) ?? [] },
            ]}
            search={{ placeholder: 'Part of the name', maxLength: 63 }}
            value={filters}
            onChange={setFilters}
          />
        }
        columns={instanceColumns}
        rowKey={(deployment) => deployment.id}
        empty={filtered ? 'No instances match these filters.' : canManage ? 'No instances yet: deploy a model.' : 'No instances yet.'}
        page={page}
        onPageChange={setPage}
        pagesLabel="Instance pages"
      />
      {canManage && (
        <DeployDrawer
          open={deploying}
          onClose={() => setDeploying(false)}
          onDeployed={(deployment) => {
            setDeploying(false);
            notice.show(`Deployment ${deployment.name} created: its replicas are starting.`);
          }}
        />
      )}
    </>
  );
}
