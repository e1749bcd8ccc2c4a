import type { InferenceLogEntry } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { formatDateTimeSeconds } from '../../lib/format';
import { authMethodText, formatMs, formatTokens, statusTone } from './inference-log-format';

const dash = <span className="muted">—</span>;
/** A name cut to the column's width; the whole name in its tooltip (and in the drawer). */
const clipped = (text: string | null) => (text === null ? dash : <span className="cell-clip" title={text}>{text}</span>);

/**
 * The inference log table, narrow enough for a laptop's panel: long names are cut, the auth
 * method sits under the user, "streamed" under the status, tokens as prompt / completion. The
 * time opens the entry's details (so does a click on the row).
 */
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
    { header: 'Deployment', cell: (entry) => clipped(entry.deploymentName), className: 'mono' },
    { header: 'Model', cell: (entry) => clipped(entry.modelName), className: 'mono log-model' },
    {
      header: 'User',
      cell: (entry) =>
        entry.username === null && entry.authMethod === null ? (
          dash
        ) : (
          <span className="log-caller">
            {entry.username === null ? dash : <span className="mono">{entry.username}</span>}
            <span className="muted">{authMethodText(entry.authMethod)}</span>
          </span>
        ),
      className: 'nowrap',
    },
    {
      header: 'Status',
      cell: (entry) => (
        <span className="log-caller">
          <Badge tone={statusTone(entry.statusCode)} title={entry.errorMessage ?? undefined}>
            {entry.statusCode}
          </Badge>
          {entry.streaming && <span className="muted">streamed</span>}
        </span>
      ),
    },
    { header: 'TTFB', cell: (entry) => formatMs(entry.ttfbMs), className: 'nowrap num' },
    { header: 'Duration', cell: (entry) => formatMs(entry.durationMs), className: 'nowrap num' },
    { header: 'Tokens', cell: (entry) => <span title="Prompt / completion tokens">{formatTokens(entry.promptTokens, entry.completionTokens)}</span>, className: 'nowrap num' },
  ];
}
