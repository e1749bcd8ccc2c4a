import { useState } from 'react';
import { useLocation } from 'react-router';
import { useClusters } from '../../api/cluster-hooks';
import { useDeployments } from '../../api/deployment-hooks';
import { useCanOperate } from '../../auth/current-user';
import { DataTable } from '../../components/DataTable';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { Pagination } from '../../components/Pagination';
import { useDocumentTitle } from '../../lib/use-document-title';
import { DeployDrawer } from './DeployDrawer';
import { instanceColumns } from './instance-columns';
import type { InstanceFilterValues } from './InstanceFilters';
import { InstanceFilters, NO_INSTANCE_FILTERS } from './InstanceFilters';

export function InstancesPage() {
  useDocumentTitle('Instances');
  const canManage = useCanOperate();
  const location = useLocation();
  const [filters, setFilters] = useState<InstanceFilterValues>(NO_INSTANCE_FILTERS);
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  const deployments = useDeployments({ ...page, status: filters.status || undefined, cluster: filters.cluster || undefined, q: filters.q || undefined });
  const clusters = useClusters(500, 0);
  const [deploying, setDeploying] = useState(false);
  // A deleted instance's page sends its notice along.
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  const filtered = Boolean(filters.status || filters.cluster || filters.q);

  return (
    <>
      <PageHeader
        title="Instances"
        description="Models serving on your clusters: status, replicas and endpoints, refreshed every 10 seconds."
        actions={
          canManage && (
            <button type="button" className="btn btn-primary" onClick={() => setDeploying(true)}>
              <Icon name="plus" />
              Deploy model
            </button>
          )
        }
      />
      <section className="panel panel-flush" aria-label="Instances">
        {(notice || deployments.isError) && (
          <div className="panel-section panel-section-top">
            {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
            <ErrorBanner error={deployments.error} title="Could not load the instances." />
          </div>
        )}
        <InstanceFilters
          value={filters}
          clusters={clusters.data?.items.map((cluster) => cluster.name) ?? []}
          onChange={(next) => {
            setFilters(next);
            setPage((current) => ({ ...current, offset: 0 }));
          }}
        />
        <DataTable
          caption="Instances"
          columns={instanceColumns}
          rows={deployments.data?.items}
          rowKey={(deployment) => deployment.id}
          loading={deployments.isPending}
          empty={filtered ? 'No instances match these filters.' : canManage ? 'No instances yet: deploy a model.' : 'No instances yet.'}
        />
        {deployments.data && (
          <Pagination
            label="Instance pages"
            total={deployments.data.total}
            limit={page.limit}
            offset={page.offset}
            onChange={setPage}
            disabled={deployments.isFetching && deployments.isPlaceholderData}
          />
        )}
      </section>
      {canManage && (
        <DeployDrawer
          open={deploying}
          onClose={() => setDeploying(false)}
          onDeployed={(deployment) => {
            setDeploying(false);
            setNotice(`Deployment ${deployment.name} created: its replicas are starting.`);
          }}
        />
      )}
    </>
  );
}
