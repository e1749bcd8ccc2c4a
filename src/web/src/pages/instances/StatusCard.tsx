import type { Deployment } from '../../api/types';
import { Facts } from '../../components/Facts';
import { Icon } from '../../components/Icon';
import { TitledPanel } from '../../components/TitledPanel';
import { formatDateTimeSeconds } from '../../lib/format';
import { CACHED_NOTE } from './instance-format';
import { StatusBadge } from './StatusBadge';

/** Status, where it came from, and the replicas. A cached status gets the amber "last saved state" banner. */
export function StatusCard({ deployment }: { deployment: Deployment }) {
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
