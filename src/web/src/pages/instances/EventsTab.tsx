import { EventHistoryPanel } from './EventHistoryPanel';
import { EventsPanel } from './EventsPanel';
import { useInstanceTab } from './instance-tab-context';

/** The events live from the cluster, and the history H-MAS keeps. */
export function EventsTab() {
  const { deployment, enabled } = useInstanceTab();
  return (
    <div className="stack">
      <EventsPanel deploymentId={deployment.id} enabled={enabled} />
      <EventHistoryPanel deploymentId={deployment.id} enabled={enabled} />
    </div>
  );
}
