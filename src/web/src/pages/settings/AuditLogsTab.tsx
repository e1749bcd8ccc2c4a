import type { FormEvent } from 'react';
import { useId, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useAuditLogs } from '../../api/hooks';
import type { AuditLogQuery } from '../../api/types';
import { KNOWN_AUDIT_ACTIONS } from '../../api/types';
import { Badge } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Pagination, toPageSize } from '../../components/Pagination';
import { formatDateTimeSeconds, isoToLocalInput, localInputToIso } from '../../lib/format';
import { useDocumentTitle } from '../../lib/use-document-title';

interface Filters {
  action: string;
  actor: string;
  /** datetime-local values (local wall time) */
  from: string;
  to: string;
}

/** Filters and paging live in the URL, so a filtered view can be shared and survives reload. */
function queryFromParams(params: URLSearchParams): AuditLogQuery {
  const offset = Number(params.get('offset'));
  const query: AuditLogQuery = {
    limit: toPageSize(params.get('limit')),
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
  for (const key of ['action', 'actor', 'from', 'to'] as const) {
    const value = params.get(key);
    if (value) query[key] = value;
  }
  return query;
}

function paramsFromQuery(query: AuditLogQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['action', 'actor', 'from', 'to'] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  if (query.limit !== 25) params.set('limit', String(query.limit));
  if (query.offset > 0) params.set('offset', String(query.offset));
  return params;
}

export function AuditLogsTab() {
  useDocumentTitle('Audit logs', 'Settings');
  const [searchParams, setSearchParams] = useSearchParams();
  const query = useMemo(() => queryFromParams(searchParams), [searchParams]);
  const logs = useAuditLogs(query);

  const setQuery = (next: AuditLogQuery) => setSearchParams(paramsFromQuery(next));

  return (
    <section className="panel panel-flush" aria-labelledby="audit-title">
      <div className="panel-header">
        <div>
          <h2 id="audit-title" className="panel-title">
            Audit logs
          </h2>
          <p className="muted">Every sign-in and every change, who made it and whether it succeeded.</p>
        </div>
      </div>

      <AuditFilters
        key={searchParams.toString()}
        initial={{
          action: query.action ?? '',
          actor: query.actor ?? '',
          from: isoToLocalInput(query.from),
          to: isoToLocalInput(query.to),
        }}
        onApply={(filters) => {
          const from = localInputToIso(filters.from);
          const to = localInputToIso(filters.to, { endOfMinute: true });
          setQuery({
            limit: query.limit,
            offset: 0,
            ...(filters.action.trim() ? { action: filters.action.trim() } : {}),
            ...(filters.actor.trim() ? { actor: filters.actor.trim() } : {}),
            ...(from ? { from } : {}),
            ...(to ? { to } : {}),
          });
        }}
        onReset={() => setQuery({ limit: query.limit, offset: 0 })}
      />

      {logs.isError && (
        <div className="panel-section">
          <ErrorBanner error={logs.error} title="Could not load audit logs." />
        </div>
      )}

      <div className="table-wrap">
        <table className="table table-dense">
          <caption className="visually-hidden">Audit log entries</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Resource</th>
              <th scope="col">Outcome</th>
              <th scope="col">IP</th>
              <th scope="col">Summary</th>
            </tr>
          </thead>
          <tbody>
            {logs.isPending && (
              <tr>
                <td colSpan={7} className="table-empty">
                  Loading audit logs…
                </td>
              </tr>
            )}
            {logs.data?.items.length === 0 && (
              <tr>
                <td colSpan={7} className="table-empty">
                  No audit log entries match these filters.
                </td>
              </tr>
            )}
            {logs.data?.items.map((entry) => (
              <tr key={entry.id}>
                <td className="nowrap">
                  <time dateTime={entry.createdAt}>{formatDateTimeSeconds(entry.createdAt)}</time>
                </td>
                <td>{entry.actorUsername ?? <span className="muted">anonymous</span>}</td>
                <td className="mono nowrap">{entry.action}</td>
                <td className="mono">
                  {entry.resourceType ? (
                    <span className="resource" title={entry.resourceId ?? undefined}>
                      {entry.resourceType}
                      {entry.resourceId && <span className="resource-id">{entry.resourceId}</span>}
                    </span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  <Badge
                    tone={entry.outcome === 'success' ? 'ok' : 'error'}
                    title={entry.statusCode != null ? `HTTP ${entry.statusCode}` : undefined}
                  >
                    {entry.outcome}
                  </Badge>
                </td>
                <td className="mono nowrap">{entry.clientIp ?? '—'}</td>
                <td className="summary" title={entry.requestId ? `Request ID: ${entry.requestId}` : undefined}>
                  {entry.summary ?? <span className="muted">—</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {logs.data && (
        <Pagination
          label="Audit log pages"
          total={logs.data.total}
          limit={query.limit}
          offset={query.offset}
          onChange={({ limit, offset }) => setQuery({ ...query, limit, offset })}
          disabled={logs.isFetching && logs.isPlaceholderData}
        />
      )}
    </section>
  );
}

function AuditFilters({ initial, onApply, onReset }: { initial: Filters; onApply: (filters: Filters) => void; onReset: () => void }) {
  const [filters, setFilters] = useState(initial);
  const [rangeError, setRangeError] = useState<string | null>(null);
  const ids = { action: useId(), actor: useId(), from: useId(), to: useId(), actions: useId(), rangeError: useId() };
  const set = (key: keyof Filters) => (event: { target: { value: string } }) => setFilters((f) => ({ ...f, [key]: event.target.value }));

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const from = localInputToIso(filters.from);
    const to = localInputToIso(filters.to, { endOfMinute: true });
    if (from && to && from > to) {
      setRangeError('"From" must be before "To".');
      return;
    }
    setRangeError(null);
    onApply(filters);
  };

  return (
    <form className="filters" onSubmit={onSubmit} aria-label="Audit log filters" noValidate>
      <div className="filter">
        <label htmlFor={ids.action} className="field-label">
          Action
        </label>
        <input
          id={ids.action}
          className="input"
          list={ids.actions}
          placeholder="e.g. user.create"
          autoComplete="off"
          value={filters.action}
          onChange={set('action')}
        />
        <datalist id={ids.actions}>
          {KNOWN_AUDIT_ACTIONS.map((action) => (
            <option key={action} value={action} />
          ))}
        </datalist>
      </div>
      <div className="filter">
        <label htmlFor={ids.actor} className="field-label">
          Actor
        </label>
        <input id={ids.actor} className="input" placeholder="username" autoComplete="off" value={filters.actor} onChange={set('actor')} />
      </div>
      <div className="filter">
        <label htmlFor={ids.from} className="field-label">
          From
        </label>
        <input
          id={ids.from}
          className="input"
          type="datetime-local"
          value={filters.from}
          onChange={set('from')}
          aria-invalid={rangeError ? true : undefined}
          aria-describedby={rangeError ? ids.rangeError : undefined}
        />
      </div>
      <div className="filter">
        <label htmlFor={ids.to} className="field-label">
          To
        </label>
        <input id={ids.to} className="input" type="datetime-local" value={filters.to} onChange={set('to')} />
      </div>
      <div className="filter filter-actions">
        <button type="submit" className="btn btn-primary">
          Apply filters
        </button>
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => {
            setRangeError(null);
            setFilters({ action: '', actor: '', from: '', to: '' });
            onReset();
          }}
        >
          Reset
        </button>
      </div>
      {rangeError && (
        <p id={ids.rangeError} className="field-error filters-error" role="alert">
          {rangeError}
        </p>
      )}
    </form>
  );
}
