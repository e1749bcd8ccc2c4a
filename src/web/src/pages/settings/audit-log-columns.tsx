import type { AuditLogEntry } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { formatDateTimeSeconds } from '../../lib/format';

/** The audit log table: who did what to which resource, and how it went. */
export const auditLogColumns: ReadonlyArray<Column<AuditLogEntry>> = [
  { header: 'Time', cell: (entry) => <time dateTime={entry.createdAt}>{formatDateTimeSeconds(entry.createdAt)}</time>, className: 'nowrap' },
  { header: 'Actor', cell: (entry) => entry.actorUsername ?? <span className="muted">anonymous</span> },
  { header: 'Action', cell: (entry) => entry.action, className: 'mono nowrap' },
  {
    header: 'Resource',
    cell: (entry) =>
      entry.resourceType ? (
        <span className="resource" title={entry.resourceId ?? undefined}>
          {entry.resourceType}
          {entry.resourceId && <span className="resource-id">{entry.resourceId}</span>}
        </span>
      ) : (
        <span className="muted">—</span>
      ),
    className: 'mono',
  },
  {
    header: 'Outcome',
    cell: (entry) => (
      <Badge tone={entry.outcome === 'success' ? 'ok' : 'error'} title={entry.statusCode != null ? `HTTP ${entry.statusCode}` : undefined}>
        {entry.outcome}
      </Badge>
    ),
  },
  { header: 'IP', cell: (entry) => entry.clientIp ?? '—', className: 'mono nowrap' },
  {
    header: 'Summary',
    cell: (entry) => <span title={entry.requestId ? `Request ID: ${entry.requestId}` : undefined}>{entry.summary ?? <span className="muted">—</span>}</span>,
    className: 'summary',
  },
];
