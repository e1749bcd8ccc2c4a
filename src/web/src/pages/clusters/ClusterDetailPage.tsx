import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useCluster, useClusterWarmer, useDeleteCluster, useTestCluster } from '../../api/cluster-hooks';
import type { Cluster } from '../../api/types';
import { useCanOperate, useIsAdmin } from '../../auth/current-user';
import { DeleteConfirm } from '../../components/DeleteConfirm';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { PageHeader } from '../../components/PageHeader';
import { useDocumentTitle } from '../../lib/use-document-title';
import { AgentTokenSection } from './AgentTokenSection';
import { ClusterDeploymentsSection } from './ClusterDeploymentsSection';
import { ClusterFacts } from './ClusterFacts';
import { EditClusterDrawer } from './EditClusterDrawer';
import { ImageWarmerSection, type ClusterWarmerQuery } from './ImageWarmerSection';
import { InventorySection } from './InventorySection';
import { LastTestSection } from './LastTestSection';
import { WorkloadSettingsSection } from './WorkloadSettingsSection';

export function ClusterDetailPage() {
  const { name = '' } = useParams();
  useDocumentTitle(name, 'Clusters');
  const cluster = useCluster(name);
  // Held here, not in the panel: after a delete drops the cluster's queries, ClusterDetail
  // re-renders on its way out, and a query hook there would fetch the gone cluster's warmer (404).
  const warmer = useClusterWarmer(name);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/clusters">Clusters</Link>
      </p>
      {cluster.isPending && (
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> Loading cluster…
        </p>
      )}
      {cluster.isError && <ErrorBanner error={cluster.error} title={`Could not load cluster ${name}.`} />}
      {cluster.data && <ClusterDetail cluster={cluster.data} warmer={warmer} />}
    </>
  );
}

function ClusterDetail({ cluster, warmer }: { cluster: Cluster; warmer: ClusterWarmerQuery }) {
  const canManage = useCanOperate();
  const canTest = useIsAdmin();
  const navigate = useNavigate();
  const test = useTestCluster();
  const remove = useDeleteCluster();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <>
      <PageHeader
        title={cluster.displayName}
        description={
          <>
            <span className="mono">{cluster.name}</span> · {cluster.type} cluster
          </>
        }
        actions={
          canManage && (
            <>
              <button
                type="button"
                className="btn btn-secondary"
                onClick={() => test.mutate(cluster.name, { onSuccess: () => setNotice('Test finished.') })}
                disabled={test.isPending || !canTest}
                title={canTest ? undefined : 'Only admins test clusters: a test sends the stored credentials to the cluster.'}
              >
                {test.isPending ? 'Testing…' : 'Test now'}
              </button>
              <button type="button" className="btn btn-secondary" onClick={() => setEditing(true)}>
                Edit
              </button>
              <button type="button" className="btn btn-danger" onClick={() => setDeleting(true)}>
                Delete
              </button>
            </>
          )
        }
      />
      <div className="stack">
        {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
        <ErrorBanner error={test.error} title="The test could not run." />
        <ClusterFacts cluster={cluster} />
        <div className="panel-grid">
          <LastTestSection cluster={cluster} />
          <ImageWarmerSection cluster={cluster} warmer={warmer} />
          {cluster.connection.kind === 'kubeconfig' && <WorkloadSettingsSection cluster={cluster} />}
        </div>
        {cluster.connection.kind === 'agent' && canTest && <AgentTokenSection cluster={cluster} />}
        <InventorySection cluster={cluster} />
        <ClusterDeploymentsSection cluster={cluster} />
      </div>
      {canManage && (
        <>
          <EditClusterDrawer
            cluster={cluster}
            open={editing}
            onClose={() => setEditing(false)}
            onSaved={() => {
              setEditing(false);
              setNotice('Changes saved.');
            }}
          />
          <DeleteConfirm
            target={deleting ? cluster : null}
            noun="cluster"
            nameOf={(target) => target.name}
            idOf={(target) => target.name}
            remove={remove}
            onClose={(deletedName) => {
              setDeleting(false);
              if (deletedName) navigate('/clusters', { state: { notice: `Cluster ${deletedName} deleted.` } });
            }}
          >
            <p>H-MAS forgets the cluster and its stored credentials. Nothing on the cluster itself is touched.</p>
          </DeleteConfirm>
        </>
      )}
    </>
  );
}
