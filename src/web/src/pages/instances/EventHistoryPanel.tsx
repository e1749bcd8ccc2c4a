import { useMemo } from 'react';
import type { EventHistoryQuery } from '../../api/rollout-hooks';
import { useEventHistory } from '../../api/rollout-hooks';
import type { DeploymentEventRecord } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { ErrorBanner } from '../../components/ErrorBanner';
import { LogFilters } from '../../components/LogFilters';
import { Pagination } from '../../components/Pagination';
import { PanelHeader } from '../../components/PanelHeader';
import { RangePresets } from '../../components/RangePresets';
import { formatDateTimeSeconds } from '../../lib/format';
import { useUrlPagedQuery } from '../../lib/url-query';
import { EVENT_RANGES, eventRange } from './event-ranges';

const columns: ReadonlyArray<Column<DeploymentEventRecord>> = [
  { header: 'Type', cell: (event) => <Badge tone={event.type === 'Warning' ? 'warning' : 'neutral'}>{event.type}</Badge> },
  { header: 'Reason', cell: (event) => event.reason, className: 'mono nowrap' },
  { header: 'Object', cell: (event) => `${event.involvedObject.kind} ${event.involvedObject.name}`, className: 'mono nowrap' },
  { header: 'Message', cell: (event) => event.message, className: 'event-message' },
  { header: 'Count', cell: (event) => <span title={`First seen ${formatDateTimeSeconds(event.firstSeen)}`}>{event.count}</span> },
  { header: 'Last seen', cell: (event) => formatDateTimeSeconds(event.lastSeen), className: 'nowrap' },
];

const KEYS = ['range', 'type', 'from', 'to'] as const;
const TYPES = ['Normal', 'Warning'] as const;

/**
 * The events H-MAS copied from the cluster (kept 30 days): a preset range at one click (last hour
 * … 30 days) or a custom From/To, a type filter, pages of 25/50/100. All of it in the URL.
 */
export function EventHistoryPanel({ deploymentId, enabled }: { deploymentId: string; enabled: boolean }) {
  const { query, version, applyFilters, setPage } = useUrlPagedQuery(KEYS);
  const custom = Boolean(query.from || query.to);
  const preset = eventRange(query.range);
  // A preset's start is fixed when it is chosen (or the URL changes), so the query key holds still.
  const presetFrom = useMemo(() => new Date(Date.now() - preset.ms).toISOString(), [preset, version]);
  const request: EventHistoryQuery = {
    type: TYPES.find((type) => type === query.type),
    from: custom ? query.from : presetFrom,
    to: custom ? query.to : undefined,
    limit: query.limit,
    offset: query.offset,
  };
  const events = useEventHistory(deploymentId, request, enabled);

  return (
    <section className="panel panel-flush" aria-labelledby="events-history-title">
      <PanelHeader titleId="events-history-title" title="Events history" description="What H-MAS copied from the cluster every minute, kept 30 days; last seen first." />
      <div className="panel-section stack-tight">
        <RangePresets options={EVENT_RANGES} selected={custom ? null : preset.key} onSelect={(range) => applyFilters({ range, type: query.type })}>
          <span className="muted">{custom ? 'Custom range (From / To below).' : 'Or set From / To below for a custom range.'}</span>
        </RangePresets>
        <LogFilters
          key={version}
          label="Events history filters"
          inputs={[{ key: 'type', label: 'Type', placeholder: 'Normal or Warning', suggestions: TYPES, narrow: true }]}
          query={query}
          check={(values) => (values.type && !TYPES.some((type) => type === values.type) ? { key: 'type', message: 'Type is Normal or Warning.' } : null)}
          onApply={(filters) => applyFilters({ ...filters, range: query.range })}
        />
        <ErrorBanner error={events.error} title="Could not load the events history." />
      </div>
      <DataTable
        caption="Events history"
        dense
        columns={columns}
        rows={events.data?.items ?? (events.isError ? [] : undefined)}
        rowKey={(event) => event.id}
        loading={events.isPending}
        empty="No events in this range."
        rowClassName={(event) => (event.type === 'Warning' ? 'row-warning' : undefined)}
      />
      {events.data && <Pagination total={events.data.total} limit={query.limit} offset={query.offset} onChange={setPage} label="Events history pages" disabled={events.isFetching} />}
    </section>
  );
}
