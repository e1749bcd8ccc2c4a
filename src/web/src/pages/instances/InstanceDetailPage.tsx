import { useState } from 'react';
import { Link, Outlet, useNavigate, useParams } from 'react-router';
import { useDeleteDeployment, useDeployment, useForgetWhenLeft, usePauseResume } from '../../api/deployment-hooks';
import type { Deployment } from '../../api/types';
import { useCanOperate } from '../../auth/current-user';
import { DeleteConfirm } from '../../components/DeleteConfirm';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { RouteTabs } from '../../components/RouteTabs';
import { useDocumentTitle } from '../../lib/use-document-title';
import { useNotice } from '../../lib/use-notice';
import { checkAction } from '../../../../domain/deployment-status';
import { EditSettingsDrawer } from './EditSettingsDrawer';
import type { InstanceTabContext } from './instance-tab-context';
import { INSTANCE_TABS } from './instance-tab-context';
import { RolloutBanner } from './RolloutBanner';

export function InstanceDetailPage() {
  const { id = '' } = useParams();
  // Owned here: while the delete runs, nothing on the page asks for the deployment any more.
  const remove = useDeleteDeployment();
  const removing = remove.isPending || remove.isSuccess;
  const deployment = useDeployment(id, !removing);
  useForgetWhenLeft(id, remove.isSuccess);
  useDocumentTitle(deployment.data?.name ?? 'Instance', 'Instances');
  return (
    <>
      <p className="breadcrumb">
        <Link to="/instances">Instances</Link>
      </p>
      {deployment.isPending && (
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> Loading instance…
        </p>
      )}
      {deployment.isError && <ErrorBanner error={deployment.error} title="Could not load the instance." />}
      {deployment.data && <InstanceDetail deployment={deployment.data} remove={remove} removing={removing} />}
    </>
  );
}

function InstanceDetail({ deployment, remove, removing }: { deployment: Deployment; remove: ReturnType<typeof useDeleteDeployment>; removing: boolean }) {
  const canManage = useCanOperate();
  const navigate = useNavigate();
  const pauseResume = usePauseResume();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const notice = useNotice();
  const canPause = checkAction(deployment.status, 'pause').allowed;
  const canResume = checkAction(deployment.status, 'resume').allowed;
  const act = (action: 'pause' | 'resume') => {
    notice.dismiss();
    pauseResume.mutate(
      { id: deployment.id, action },
      { onSuccess: () => notice.show(action === 'pause' ? `${deployment.name} paused: scaled to 0, everything else kept.` : `${deployment.name} resumed: its replicas are starting.`) },
    );
  };

  return (
    <>
      <PageHeader
        title={deployment.name}
        description={
          <>
            <span className="mono">{deployment.modelName}</span> on <span className="mono">{deployment.cluster}</span> with {deployment.runtime}
          </>
        }
        actions={
          canManage && (
            <>
              {canPause && (
                <button type="button" className="btn btn-secondary" onClick={() => act('pause')} disabled={pauseResume.isPending}>
                  <Icon name="pause" size={16} />
                  Pause
                </button>
              )}
              {canResume && (
                <button type="button" className="btn btn-primary" onClick={() => act('resume')} disabled={pauseResume.isPending}>
                  <Icon name="play" size={16} />
                  Resume
                </button>
              )}
              <button type="button" className="btn btn-secondary" onClick={() => setEditing(true)} disabled={deployment.status === 'deleting'}>
                Edit settings
              </button>
              <button type="button" className="btn btn-danger" onClick={() => setDeleting(true)} disabled={deployment.status === 'deleting'}>
                Delete
              </button>
            </>
          )
        }
      />
      <div className="stack">
        {notice.text && <Notice onDismiss={notice.dismiss}>{notice.text}</Notice>}
        <ErrorBanner error={pauseResume.error} title={`Could not ${pauseResume.variables?.action ?? 'change'} the instance.`} />
        <RolloutBanner deployment={deployment} enabled={!removing} />
        <RouteTabs label="Instance sections" tabs={INSTANCE_TABS}>
          <Outlet context={{ deployment, enabled: !removing } satisfies InstanceTabContext} />
        </RouteTabs>
      </div>
      {canManage && (
        <>
          <EditSettingsDrawer
            deployment={deployment}
            open={editing}
            onClose={() => setEditing(false)}
            onSaved={(summary) => {
              setEditing(false);
              notice.show(summary);
            }}
          />
          <DeleteConfirm
            target={deleting ? deployment : null}
            noun="deployment"
            nameOf={(target) => target.name}
            idOf={(target) => target.id}
            remove={remove}
            onClose={(deletedName) => {
              setDeleting(false);
              if (deletedName) void navigate('/instances', { state: { notice: `Deployment ${deletedName} deleted.` } });
            }}
          >
            <p>Its replicas are stopped and H-MAS forgets the deployment. The model stays registered.</p>
          </DeleteConfirm>
        </>
      )}
    </>
  );
}
