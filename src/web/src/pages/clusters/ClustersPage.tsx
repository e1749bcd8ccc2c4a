import { useState } from 'react';
import { useLocation } from 'react-router';
import { useClusters } from '../../api/cluster-hooks';
import { useCanOperate } from '../../auth/current-user';
import { DataTable } from '../../components/DataTable';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { Pagination } from '../../components/Pagination';
import { useDocumentTitle } from '../../lib/use-document-title';
import { clusterColumns } from './cluster-columns';
import { RegisterClusterDrawer } from './RegisterClusterDrawer';

export function ClustersPage() {
  useDocumentTitle('Clusters');
  const canManage = useCanOperate();
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  const clusters = useClusters(page.limit, page.offset);
  const [registering, setRegistering] = useState(false);
  // A deleted cluster's page sends its notice along.
  const location = useLocation();
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);

  return (
    <>
      <PageHeader
        title="Clusters"
        description="The GPU clusters H-MAS deploys to: how they are reached, whether they answer, and their GPUs."
        actions={
          canManage && (
            <button type="button" className="btn btn-primary" onClick={() => setRegistering(true)}>
              <Icon name="plus" />
              Register cluster
            </button>
          )
        }
      />
      <section className="panel panel-flush" aria-label="Clusters">
        {notice && (
          <div className="panel-section panel-section-top">
            <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>
          </div>
        )}
        {clusters.isError && (
          <div className="panel-section panel-section-top">
            <ErrorBanner error={clusters.error} title="Could not load clusters." />
          </div>
        )}
        <DataTable
          caption="Clusters"
          columns={clusterColumns}
          rows={clusters.data?.items}
          rowKey={(cluster) => cluster.id}
          loading={clusters.isPending}
          empty={canManage ? 'No clusters yet: register one.' : 'No clusters yet.'}
        />
        {clusters.data && (
          <Pagination
            label="Cluster pages"
            total={clusters.data.total}
            limit={page.limit}
            offset={page.offset}
            onChange={setPage}
            disabled={clusters.isFetching && clusters.isPlaceholderData}
          />
        )}
      </section>
      {canManage && (
        <RegisterClusterDrawer
          open={registering}
          onClose={() => setRegistering(false)}
          onRegistered={(cluster) => {
            setRegistering(false);
            setNotice(`Cluster ${cluster.name} registered.`);
          }}
        />
      )}
    </>
  );
}
