import { useState } from 'react';
import { useClusters } from '../../api/cluster-hooks';
import { useDeployments } from '../../api/deployment-hooks';
import { useMetricsSummary } from '../../api/metrics-hooks';
import { metricsProblem } from '../../components/charts/metrics-problem';
import { MetricsStatus } from '../../components/charts/MetricsStatus';
import { DataTable } from '../../components/DataTable';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PageHeader } from '../../components/PageHeader';
import { PanelHeader } from '../../components/PanelHeader';
import { SearchFilters } from '../../components/SearchFilters';
import { POLL_MS } from '../../lib/polling';
import { useDocumentTitle } from '../../lib/use-document-title';
import { DEPLOYMENT_STATUSES } from '../instances/instance-format';
import { ClusterGpuSection } from './ClusterGpuSection';
import { DeploymentSidePanel } from './DeploymentSidePanel';
import { monitoringColumns } from './monitoring-columns';
import type { MonitoringFilters } from './monitoring-rows';
import { distinct, filterRows, monitoringRows, NO_FILTERS } from './monitoring-rows';

/** The API's largest page: the page shows the first 500 deployments and clusters. */
const ALL = { limit: 500, offset: 0 };

/** Why a row has no numbers, when the summary is not there. */
function noMetricsReason(error: unknown): string {
  const problem = metricsProblem(error);
  return problem === 'not-served' ? 'this server does not serve metrics yet' : 'no metrics for this instance';
}

/**
 * Every deployment with its numbers now (filter by text, cluster, runtime, status), the GPUs of
 * each cluster, and the selected deployment's logs and events in a side panel.
 */
export function MonitoringPage() {
  useDocumentTitle('Monitoring');
  const [filters, setFilters] = useState<MonitoringFilters>(NO_FILTERS);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const deployments = useDeployments(ALL, { refetchInterval: POLL_MS.aggregates });
  const clusters = useClusters(ALL.limit, ALL.offset);
  const summary = useMetricsSummary();
  const items = deployments.data?.items ?? [];
  const rows = filterRows(monitoringRows(items, summary.data, noMetricsReason(summary.error)), filters);
  const clusterNames = clusters.data?.items.map((cluster) => cluster.name) ?? [];
  const shownClusters = filters.cluster ? clusterNames.filter((name) => name === filters.cluster) : clusterNames;
  const selected = items.find((deployment) => deployment.id === selectedId) ?? null;

  return (
    <>
      <PageHeader title="Monitoring" description="Every instance's numbers now, every GPU, and an instance's logs and events beside them." />
      <div className="stack">
        <ErrorBanner error={deployments.error} title="Could not load the instances." />
        <ErrorBanner error={clusters.error} title="Could not load the clusters." />
        <section className="panel panel-flush" aria-labelledby="monitoring-deployments-title">
          <PanelHeader
            titleId="monitoring-deployments-title"
            title="Instances"
            description="Requests, p95 latency, tokens and errors per second, refreshed every 15 seconds. Open a row for its logs and events."
          />
          <div className="panel-section stack-tight">
            <SearchFilters
              label="Monitoring filters"
              selects={[
                { key: 'status', label: 'Status', allLabel: 'All statuses', options: DEPLOYMENT_STATUSES },
                { key: 'cluster', label: 'Cluster', allLabel: 'All clusters', options: clusterNames },
                { key: 'runtime', label: 'Runtime', allLabel: 'All runtimes', options: distinct(items.map((deployment) => deployment.runtime)) },
              ]}
              search={{ placeholder: 'Name or model', maxLength: 100 }}
              value={filters}
              onChange={setFilters}
            />
            <MetricsStatus
              what="metrics"
              error={summary.error}
              hasData={summary.data !== undefined}
              at={summary.data?.at}
              stale={summary.data?.stale}
              staleReason={summary.data?.staleReason}
            />
          </div>
          <DataTable
            caption="Instances and their metrics"
            dense
            columns={monitoringColumns}
            rows={deployments.data ? rows : deployments.isError ? [] : undefined}
            rowKey={(row) => row.deployment.id}
            loading={deployments.isPending}
            empty={items.length === 0 ? 'No instances yet.' : 'No instances match these filters.'}
            onRowClick={(row) => setSelectedId(row.deployment.id)}
            actions={(row) => (
              <button type="button" className="btn btn-secondary btn-small" onClick={() => setSelectedId(row.deployment.id)}>
                Logs<span className="visually-hidden"> and events of {row.deployment.name}</span>
              </button>
            )}
          />
        </section>
        <ClusterGpuSection clusters={shownClusters} />
      </div>
      <DeploymentSidePanel deployment={selected} onClose={() => setSelectedId(null)} />
    </>
  );
}
