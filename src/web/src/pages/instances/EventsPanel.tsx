import { useDeploymentEvents } from '../../api/deployment-hooks';
import type { WorkloadEvent } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { PanelHeader } from '../../components/PanelHeader';
import { formatDateTimeSeconds } from '../../lib/format';
import { ClusterReadError } from './ClusterReadError';

const columns: ReadonlyArray<Column<WorkloadEvent>> = [
  { header: 'Type', cell: (event) => <Badge tone={event.type === 'Warning' ? 'warning' : 'neutral'}>{event.type}</Badge> },
  { header: 'Reason', cell: (event) => event.reason, className: 'mono nowrap' },
  { header: 'Object', cell: (event) => `${event.involvedObject.kind} ${event.involvedObject.name}`, className: 'mono nowrap' },
  { header: 'Message', cell: (event) => event.message, className: 'event-message' },
  { header: 'Count', cell: (event) => event.count },
  { header: 'Last seen', cell: (event) => formatDateTimeSeconds(event.lastTimestamp), className: 'nowrap' },
];

/** Newest first. */
const byLastSeen = (a: WorkloadEvent, b: WorkloadEvent) => b.lastTimestamp.localeCompare(a.lastTimestamp);

/** The workload's and its replicas' recent events, from the cluster; Warning rows stand out. */
export function EventsPanel({ deploymentId, enabled = true }: { deploymentId: string; enabled?: boolean }) {
  const events = useDeploymentEvents(deploymentId, enabled);
  return (
    <section className="panel panel-flush" aria-labelledby="events-title">
      <PanelHeader titleId="events-title" title="Live events" description="What the cluster reports now about the workload and its replicas, refreshed every 10 seconds." />
      {events.isError && (
        <div className="panel-section">
          <ClusterReadError error={events.error} what="events" />
        </div>
      )}
      <DataTable
        caption="Live events"
        dense
        columns={columns}
        rows={events.data ? [...events.data].sort(byLastSeen) : events.isError ? [] : undefined}
        rowKey={(event) => `${event.involvedObject.kind}/${event.involvedObject.name}/${event.reason}/${event.firstTimestamp}`}
        loading={events.isPending}
        empty="No events."
        rowClassName={(event) => (event.type === 'Warning' ? 'row-warning' : undefined)}
      />
    </section>
  );
}
