import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useDeleteDeployment, useDeployment, useForgetWhenLeft, usePauseResume } from '../../api/deployment-hooks';
import { useResourceProfiles } from '../../api/policy-hooks';
import { useRuntimes } from '../../api/runtime-hooks';
import type { Deployment } from '../../api/types';
import { useCanOperate } from '../../auth/current-user';
import { DeleteConfirm } from '../../components/DeleteConfirm';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { Facts } from '../../components/Facts';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { TitledPanel } from '../../components/TitledPanel';
import { formatDateTime, formatDateTimeSeconds } from '../../lib/format';
import { useDocumentTitle } from '../../lib/use-document-title';
import { useNotice } from '../../lib/use-notice';
import { checkAction } from '../../../../domain/deployment-status';
import { optimizationSummary } from '../settings/optimization-form';
import { EditSettingsDrawer } from './EditSettingsDrawer';
import { EndpointCard } from './EndpointCard';
import { EventsPanel } from './EventsPanel';
import { CACHED_NOTE } from './instance-format';
import { LogsPanel } from './LogsPanel';
import { StatusBadge } from './StatusBadge';

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
        <div className="panel-grid">
          <StatusCard deployment={deployment} />
          <EndpointCard deployment={deployment} />
        </div>
        <SettingsCard deployment={deployment} />
        <EventsPanel deploymentId={deployment.id} enabled={!removing} />
        <LogsPanel deploymentId={deployment.id} enabled={!removing} />
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

/** Status, where it came from, and the replicas. A cached status gets the amber "last saved state" banner. */
function StatusCard({ deployment }: { deployment: Deployment }) {
  const cached = deployment.statusSource === 'cached';
  return (
    <TitledPanel title="Status">
      <div className="stack-tight">
        {cached && (
          <div className="alert alert-warning" role="status">
            <Icon name="offline" size={16} />
            <strong className="alert-title">Last saved state</strong>
            <span>
              The cluster did not answer, so this is what H-MAS saw {deployment.observedAt ? `at ${formatDateTimeSeconds(deployment.observedAt)}` : 'last'}.
            </span>
          </div>
        )}
        <Facts
          label="Status"
          facts={[
            ['Status', <StatusBadge key="status" deployment={deployment} />],
            ['Replicas', `${deployment.readyReplicas}/${deployment.replicas} ready`],
            deployment.statusReason !== null && ['Reason', <span key="reason" className="mono">{deployment.statusReason}</span>],
            ['Message', deployment.statusMessage],
            ['Source', cached ? `cached (${CACHED_NOTE})` : 'live: asked the cluster just now'],
            ['Observed', formatDateTimeSeconds(deployment.observedAt)],
          ]}
        />
      </div>
    </TitledPanel>
  );
}

/** What the instance is made of: model, cluster, runtime, profile, optimization. */
function SettingsCard({ deployment }: { deployment: Deployment }) {
  const runtimes = useRuntimes();
  const profiles = useResourceProfiles({ limit: 500, offset: 0 });
  const runtime = runtimes.data?.find((entry) => entry.id === deployment.runtime);
  const profile = deployment.resourceProfileId ? profiles.data?.items.find((entry) => entry.id === deployment.resourceProfileId) : undefined;
  return (
    <TitledPanel title="Settings">
      <Facts
        label="Settings"
        facts={[
          ['Model', <Link key="model" to={`/models/${deployment.modelId}`} className="mono">{deployment.modelName}</Link>],
          ['Cluster', <Link key="cluster" to={`/clusters/${encodeURIComponent(deployment.cluster)}`} className="mono">{deployment.cluster}</Link>],
          ['Runtime', runtime?.displayName ?? deployment.runtime],
          ['Replicas asked for', String(deployment.replicas)],
          ['Resource profile', deployment.resourceProfileId ? (profile ? `${profile.name} — ${profile.gpuCount} GPU, ${profile.cpu} CPU, ${profile.memory}` : deployment.resourceProfileId) : 'none (runtime defaults)'],
          ['Optimization preset', deployment.optimizationPresetId ?? 'none'],
          ['Optimization', optimizationSummary(deployment.optimization, runtime)],
          ['Created', formatDateTime(deployment.createdAt)],
        ]}
      />
    </TitledPanel>
  );
}
