import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useDeployments } from '../../api/deployment-hooks';
import { useInferenceLogs } from '../../api/gateway-hooks';
import type { InferenceLogEntry } from '../../api/types';
import { useCanOperate } from '../../auth/current-user';
import { DataTable } from '../../components/DataTable';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PageHeader } from '../../components/PageHeader';
import { Pagination } from '../../components/Pagination';
import type { PagedQuery } from '../../lib/url-query';
import { pagedQueryFromParams, paramsFromPagedQuery } from '../../lib/url-query';
import { useDocumentTitle } from '../../lib/use-document-title';
import { inferenceLogColumns } from './inference-log-columns';
import { LOG_FILTER_KEYS } from './inference-log-format';
import { InferenceLogDrawer } from './InferenceLogDrawer';
import { InferenceLogFilters } from './InferenceLogFilters';

type LogQuery = PagedQuery<(typeof LOG_FILTER_KEYS)[number]>;

/**
 * Requests the OpenAI-compatible gateway answered, newest first, refreshed every 30 s. Filters
 * and paging live in the URL. Viewers see their own requests; operators and admins everyone's.
 */
export function InferenceLogsPage() {
  useDocumentTitle('Inference logs');
  const seesAll = useCanOperate();
  const [searchParams, setSearchParams] = useSearchParams();
  const query = useMemo(() => pagedQueryFromParams(searchParams, LOG_FILTER_KEYS), [searchParams]);
  const logs = useInferenceLogs(query);
  const deployments = useDeployments({ limit: 500, offset: 0 });
  const [open, setOpen] = useState<InferenceLogEntry | null>(null);
  const columns = useMemo(() => inferenceLogColumns(setOpen), []);
  const filtered = LOG_FILTER_KEYS.some((key) => query[key]);
  const setQuery = (next: LogQuery) => setSearchParams(paramsFromPagedQuery(next, LOG_FILTER_KEYS));

  return (
    <>
      <PageHeader
        title="Inference logs"
        description={`Requests answered by the OpenAI-compatible gateway at ${window.location.origin}/v1, newest first, refreshed every 30 seconds. ${
          seesAll ? 'Everyone’s requests.' : 'Your own requests.'
        } Prompts and answers are never stored.`}
        actions={
          <button type="button" className="btn btn-secondary" onClick={() => void logs.refetch()} disabled={logs.isFetching}>
            {logs.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        }
      />
      <section className="panel panel-flush" aria-label="Inference logs">
        <div className="panel-section-top">
          <InferenceLogFilters
            key={searchParams.toString()}
            query={query}
            deployments={deployments.data?.items.map((deployment) => deployment.name) ?? []}
            showUser={seesAll}
            onApply={(filters) => setQuery({ ...filters, limit: query.limit, offset: 0 })}
          />
        </div>
        {logs.isError && (
          <div className="panel-section">
            <ErrorBanner error={logs.error} title="Could not load the inference logs." />
          </div>
        )}
        <DataTable
          caption="Inference log entries"
          columns={columns}
          rows={logs.data?.items}
          rowKey={(entry) => entry.id}
          loading={logs.isPending}
          empty={filtered ? 'No requests match these filters.' : 'No requests yet: call the gateway with an API key.'}
          dense
          onRowClick={setOpen}
        />
        {logs.data && (
          <Pagination
            label="Inference log pages"
            total={logs.data.total}
            limit={query.limit}
            offset={query.offset}
            onChange={({ limit, offset }) => setQuery({ ...query, limit, offset })}
            disabled={logs.isFetching && logs.isPlaceholderData}
          />
        )}
      </section>
      <InferenceLogDrawer entry={open} onClose={() => setOpen(null)} />
    </>
  );
}
