import type { LoopState } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { formatDateTimeSeconds, formatRelativeTime } from '../../lib/format';

/** The last run of the loop failed (its last error is not older than its last run). */
export const lastRunFailed = (loop: LoopState) => loop.lastErrorAt !== null && loop.lastRunAt !== null && loop.lastErrorAt >= loop.lastRunAt;

function duration(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function every(ms: number): string {
  return ms % 60_000 === 0 ? `every ${ms / 60_000} min` : ms % 1000 === 0 ? `every ${ms / 1000} s` : `every ${ms} ms`;
}

/** The loops table; relative times are counted from `now` (when the view was fetched). */
export function systemLoopColumns(now: number): ReadonlyArray<Column<LoopState>> {
  return [
    {
      header: 'Loop',
      cell: (loop) => (
        <>
          <span className="mono">{loop.name}</span>
          <span className="loop-touches muted">{loop.touches}</span>
        </>
      ),
      className: 'loop-name',
    },
    { header: 'Runs on', cell: (loop) => <span className="nowrap">{loop.needsLeader ? 'leader only' : 'every instance'}</span> },
    { header: 'Here', cell: (loop) => (loop.runningHere ? <Badge tone="ok">running</Badge> : <Badge>not here</Badge>) },
    {
      header: 'Last run',
      cell: (loop) => (
        <span className="nowrap" title={loop.lastRunAt ? `${formatDateTimeSeconds(loop.lastRunAt)}, ${every(loop.intervalMs)}` : every(loop.intervalMs)}>
          {formatRelativeTime(loop.lastRunAt, now)}
        </span>
      ),
    },
    { header: 'Took', cell: (loop) => duration(loop.lastDurationMs), className: 'nowrap num' },
    { header: 'Runs', cell: (loop) => loop.runs, className: 'num' },
    { header: 'Errors', cell: (loop) => (loop.errors > 0 ? <Badge tone="error">{loop.errors}</Badge> : <span className="muted">0</span>), className: 'num' },
    {
      header: 'Last error',
      cell: (loop) =>
        loop.lastError === null ? (
          <span className="muted">—</span>
        ) : (
          <>
            <span className="loop-error" title={loop.lastError}>
              {loop.lastError}
            </span>
            <span className="loop-touches muted">{formatRelativeTime(loop.lastErrorAt, now)}</span>
          </>
        ),
      className: 'loop-last-error',
    },
  ];
}
