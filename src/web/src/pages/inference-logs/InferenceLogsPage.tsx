import { useMemo, useState } from 'react';
import { useDeployments } from '../../api/deployment-hooks';
import { useInferenceLogs } from '../../api/gateway-hooks';
import type { InferenceLogEntry } from '../../api/types';
import { useCanOperate } from '../../auth/current-user';
import { ListPanel } from '../../components/ListPanel';
import { PageHeader } from '../../components/PageHeader';
import { useUrlPagedQuery } from '../../lib/url-query';
import { useDocumentTitle } from '../../lib/use-document-title';
import { inferenceLogColumns } from './inference-log-columns';
import { LOG_FILTER_KEYS } from './inference-log-format';
import { InferenceLogDrawer } from './InferenceLogDrawer';
import { InferenceLogFilters } from './InferenceLogFilters';

/**
 * Requests the OpenAI-compatible gateway answered, newest first, refreshed every 30 s. Filters
 * and paging live in the URL. Viewers see their own requests; operators and admins everyone's.
 */
export function InferenceLogsPage() {
  useDocumentTitle('Inference logs');
  const seesAll = useCanOperate();
  const { query, version, filtered, applyFilters, setPage } = useUrlPagedQuery(LOG_FILTER_KEYS);
  const logs = useInferenceLogs(query);
  const deployments = useDeployments({ limit: 500, offset: 0 });
  const [open, setOpen] = useState<InferenceLogEntry | null>(null);
  const columns = useMemo(() => inferenceLogColumns(setOpen), []);

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
      <ListPanel
        title="Inference logs"
        caption="Inference log entries"
        list={logs}
        errorTitle="Could not load the inference logs."
        toolbar={
          <div className="panel-section-top">
            <InferenceLogFilters
              key={version}
              query={query}
              deployments={deployments.data?.items.map((deployment) => deployment.name) ?? []}
              showUser={seesAll}
              onApply={applyFilters}
            />
          </div>
        }
        columns={columns}
        rowKey={(entry) => entry.id}
        empty={filtered ? 'No requests match these filters.' : 'No requests yet: call the gateway with an API key.'}
        dense
        onRowClick={setOpen}
        page={query}
        onPageChange={setPage}
        pagesLabel="Inference log pages"
      />
      <InferenceLogDrawer entry={open} onClose={() => setOpen(null)} />
    </>
  );
}
