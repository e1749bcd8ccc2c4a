import { useState } from 'react';
import { useClusters } from '../../api/cluster-hooks';
import { useCanOperate, useIsAdmin } from '../../auth/current-user';
import { AddButton } from '../../components/ListButtons';
import { ListPanel } from '../../components/ListPanel';
import { PageHeader } from '../../components/PageHeader';
import { useDocumentTitle } from '../../lib/use-document-title';
import { useNotice } from '../../lib/use-notice';
import { clusterColumns } from './cluster-columns';
import { RegisterClusterDrawer } from './RegisterClusterDrawer';

export function ClustersPage() {
  useDocumentTitle('Clusters');
  const canManage = useCanOperate();
  const canRegister = useIsAdmin();
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  const clusters = useClusters(page.limit, page.offset);
  const [registering, setRegistering] = useState(false);
  // A deleted cluster's page sends its notice along.
  const notice = useNotice();

  return (
    <>
      <PageHeader
        title="Clusters"
        description="The GPU clusters H-MAS deploys to: how they are reached, whether they answer, and their GPUs."
        actions={
          canRegister ? (
            <AddButton onClick={() => setRegistering(true)}>Register cluster</AddButton>
          ) : (
            canManage && <p className="muted">Only admins register clusters: registering sends credentials to the address given.</p>
          )
        }
      />
      <ListPanel
        title="Clusters"
        list={clusters}
        errorTitle="Could not load clusters."
        notice={notice}
        columns={clusterColumns}
        rowKey={(cluster) => cluster.id}
        empty={canRegister ? 'No clusters yet: register one.' : 'No clusters yet.'}
        page={page}
        onPageChange={setPage}
        pagesLabel="Cluster pages"
      />
      {canRegister && (
        <RegisterClusterDrawer
          open={registering}
          onClose={() => setRegistering(false)}
          onRegistered={(cluster) => {
            setRegistering(false);
            notice.show(`Cluster ${cluster.name} registered.`);
          }}
        />
      )}
    </>
  );
}
