import type { ReactNode } from 'react';
import { CLUSTERS } from '../../api/cluster-hooks';
import { useCollection } from '../../api/collection-hooks';
import { useDeployments } from '../../api/deployment-hooks';
import { useMetricsSummary } from '../../api/metrics-hooks';
import type { Cluster, Deployment, MetricsSummary } from '../../api/types';
import { MetricsStatus } from '../../components/charts/MetricsStatus';
import { formatMetric } from '../../components/charts/units';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PageHeader } from '../../components/PageHeader';
import { TitledPanel } from '../../components/TitledPanel';
import { POLL_MS } from '../../lib/polling';
import { useDocumentTitle } from '../../lib/use-document-title';
import { DEPLOYMENT_STATUSES } from '../instances/instance-format';
import { AttentionBanner } from './AttentionBanner';
import { clusterGpuRows } from './cluster-gpu-rows';
import { ClusterGpus } from './ClusterGpus';
import { RunningModels } from './RunningModels';
import { ServingSummary } from './ServingSummary';
import { StatCard } from './StatCard';
import type { StatusCounts } from './StatusPie';
import { StatusPie } from './StatusPie';

/** The API's largest page: the dashboard counts the first 500 instances and clusters. */
const ALL = { limit: 500, offset: 0 };

function countByStatus(deployments: readonly Deployment[]): StatusCounts {
  const counts = Object.fromEntries(DEPLOYMENT_STATUSES.map((status) => [status, 0])) as StatusCounts;
  for (const deployment of deployments) counts[deployment.status] += 1;
  return counts;
}

function gpuTotals(clusters: readonly Cluster[]) {
  let allocated = 0;
  let allocatable = 0;
  for (const cluster of clusters) {
    allocated += cluster.inventory?.totals.gpuAllocated ?? 0;
    allocatable += cluster.inventory?.totals.gpuAllocatable ?? 0;
  }
  return { allocated, allocatable };
}

/** GPU utilization where Prometheus measures it (percent), else null: the card then shows allocation. */
const measuredUtilization = (summary: MetricsSummary | undefined) => (summary?.prometheus === 'configured' ? summary.totals.gpuUtilization.value : null);

export function DashboardPage() {
  useDocumentTitle('Dashboard');
  const deployments = useDeployments(ALL, { refetchInterval: POLL_MS.aggregates });
  const clusters = useCollection<Cluster>(CLUSTERS, ALL, { refetchInterval: POLL_MS.aggregates });
  const summary = useMetricsSummary();
  const items = deployments.data?.items ?? [];
  const counts = countByStatus(items);
  const gpus = gpuTotals(clusters.data?.items ?? []);
  const utilization = measuredUtilization(summary.data);
  const readyClusters = clusters.data?.items.filter((cluster) => cluster.readiness.state === 'ready').length ?? 0;
  const pending = (value: string) => (deployments.isPending || clusters.isPending ? '…' : value);

  return (
    <>
      <PageHeader title="Dashboard" description="Clusters, model instances and how they serve, refreshed every 15 seconds." />
      <div className="stack">
        <ErrorBanner error={deployments.error} title="Could not load the instances." />
        <ErrorBanner error={clusters.error} title="Could not load the clusters." />
        <AttentionBanner deployments={items} clusters={clusters.data?.items ?? []} />
        <section className="stat-cards" aria-label="Summary">
          <StatCard label="Instances" value={pending(String(deployments.data?.total ?? 0))} link="/instances" />
          <StatCard label="Running" value={pending(`${counts.running}/${items.length}`)} hint="instances serving" />
          {utilization === null ? (
            <StatCard label="GPUs allocated" value={pending(`${gpus.allocated}/${gpus.allocatable}`)} hint="allocated of allocatable, all clusters" />
          ) : (
            <StatCard label="GPU utilization" value={formatMetric(utilization, 'percent')} hint={`${gpus.allocated}/${gpus.allocatable} GPUs allocated`} />
          )}
          <StatCard label="Clusters ready" value={pending(`${readyClusters}/${clusters.data?.total ?? 0}`)} link="/clusters" />
        </section>
        <div className="panel-grid">
          <TitledPanel title="Instances by status">
            {deployments.isPending ? <p className="muted">Loading…</p> : <StatusPie counts={counts} />}
            {deployments.data && deployments.data.total > items.length && (
              <p className="muted">Counted over the first {items.length} of {deployments.data.total} instances.</p>
            )}
          </TitledPanel>
          <TitledPanel title="GPUs per cluster">
            <div className="stack-tight">
              <MetricsStatus what="GPU metrics" error={summary.error} hasData={summary.data !== undefined} at={summary.data?.at} stale={summary.data?.stale} staleReason={summary.data?.staleReason} />
              {clusters.isPending ? <p className="muted">Loading…</p> : <ClusterGpus rows={clusterGpuRows(clusters.data?.items ?? [], summary.data)} />}
            </div>
          </TitledPanel>
        </div>
        <TitledPanel title="Serving performance">
          <MetricsPanelBody summary={summary}>{(data) => <ServingSummary summary={data} />}</MetricsPanelBody>
        </TitledPanel>
        <TitledPanel title="Running models">
          <MetricsPanelBody summary={summary}>{(data) => <RunningModels deployments={data.deployments} />}</MetricsPanelBody>
        </TitledPanel>
      </div>
    </>
  );
}

/** A panel of the summary's numbers: loading, what is wrong (stale, not served), then the content. */
function MetricsPanelBody({ summary, children }: { summary: ReturnType<typeof useMetricsSummary>; children: (data: MetricsSummary) => ReactNode }) {
  const data = summary.data;
  return (
    <div className="stack-tight">
      <MetricsStatus what="metrics" error={summary.error} hasData={data !== undefined} at={data?.at} stale={data?.stale} staleReason={data?.staleReason} />
      {summary.isPending && <p className="muted">Loading…</p>}
      {data && children(data)}
    </div>
  );
}
