import type { InferenceLogEntry } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { formatDateTimeSeconds } from '../../lib/format';
import { authMethodText, formatMs, formatTokens, statusTone } from './inference-log-format';

const orDash = (text: string | null) => text ?? <span className="muted">—</span>;

/** The inference log table; the time opens the entry's details (so does a click on the row). */
export function inferenceLogColumns(onOpen: (entry: InferenceLogEntry) => void): ReadonlyArray<Column<InferenceLogEntry>> {
  return [
    {
      header: 'Time',
      cell: (entry) => (
        <button type="button" className="btn-link" aria-label={`Details of request ${entry.requestId}`} onClick={() => onOpen(entry)}>
          <time dateTime={entry.createdAt}>{formatDateTimeSeconds(entry.createdAt)}</time>
        </button>
      ),
      className: 'nowrap',
    },
    { header: 'Deployment', cell: (entry) => orDash(entry.deploymentName), className: 'mono nowrap' },
    { header: 'Model', cell: (entry) => orDash(entry.modelName), className: 'mono nowrap' },
    { header: 'User', cell: (entry) => orDash(entry.username), className: 'mono nowrap' },
    { header: 'Auth', cell: (entry) => authMethodText(entry.authMethod), className: 'nowrap' },
    { header: 'Status', cell: (entry) => <Badge tone={statusTone(entry.statusCode)} title={entry.errorMessage ?? undefined}>{entry.statusCode}</Badge> },
    { header: 'Streaming', cell: (entry) => (entry.streaming ? 'yes' : 'no') },
    { header: 'TTFB', cell: (entry) => formatMs(entry.ttfbMs), className: 'nowrap num' },
    { header: 'Duration', cell: (entry) => formatMs(entry.durationMs), className: 'nowrap num' },
    { header: 'Tokens (prompt / completion)', cell: (entry) => formatTokens(entry.promptTokens, entry.completionTokens), className: 'nowrap num' },
  ];
}
