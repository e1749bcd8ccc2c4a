import { Link } from 'react-router';
import type { Deployment } from '../../api/types';
import { Drawer } from '../../components/Drawer';
import { EventHistoryPanel } from '../instances/EventHistoryPanel';
import { EventsPanel } from '../instances/EventsPanel';
import { LogsPanel } from '../instances/LogsPanel';

/** The selected deployment's live events, recent logs and events history, beside the Monitoring page. */
export function DeploymentSidePanel({ deployment, onClose }: { deployment: Deployment | null; onClose: () => void }) {
  return (
    <Drawer
      open={deployment !== null}
      wide
      title={deployment ? `${deployment.name}: logs and events` : 'Logs and events'}
      description={
        deployment && (
          <>
            <span className="mono">{deployment.modelName}</span> on <span className="mono">{deployment.cluster}</span> with {deployment.runtime} ·{' '}
            <Link to={`/instances/${deployment.id}/metrics`}>Open its metrics</Link>
          </>
        )
      }
      onClose={onClose}
    >
      {deployment && (
        <div className="side-panel-body stack">
          <EventsPanel deploymentId={deployment.id} />
          <LogsPanel deploymentId={deployment.id} />
          <EventHistoryPanel deploymentId={deployment.id} enabled />
        </div>
      )}
    </Drawer>
  );
}
