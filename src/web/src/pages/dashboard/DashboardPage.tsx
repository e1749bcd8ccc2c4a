import { Link } from 'react-router';
import { CLUSTERS } from '../../api/cluster-hooks';
import { useCollection } from '../../api/collection-hooks';
import { useDeployments } from '../../api/deployment-hooks';
import type { Cluster, Deployment } from '../../api/types';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PageHeader } from '../../components/PageHeader';
import { TitledPanel } from '../../components/TitledPanel';
import { useDocumentTitle } from '../../lib/use-document-title';
import { DEPLOYMENT_STATUSES } from '../instances/instance-format';
import { StatusBadge } from '../instances/StatusBadge';
import type { StatusCounts } from './StatusPie';
import { StatusPie } from './StatusPie';

/** Aggregates refresh every 15 s. */
const AGGREGATES_MS = 15_000;
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

export function DashboardPage() {
  useDocumentTitle('Dashboard');
  const deployments = useDeployments(ALL, { refetchInterval: AGGREGATES_MS });
  const clusters = useCollection<Cluster>(CLUSTERS, ALL, { refetchInterval: AGGREGATES_MS });
  const items = deployments.data?.items ?? [];
  const counts = countByStatus(items);
  const unhealthy = items.filter((deployment) => deployment.status === 'failed' || deployment.status === 'unknown');
  const gpus = gpuTotals(clusters.data?.items ?? []);
  const readyClusters = clusters.data?.items.filter((cluster) => cluster.readiness.state === 'ready').length ?? 0;
  const pending = (value: string) => (deployments.isPending || clusters.isPending ? '…' : value);

  return (
    <>
      <PageHeader title="Dashboard" description="Clusters and model instances at a glance, refreshed every 15 seconds." />
      <div className="stack">
        <ErrorBanner error={deployments.error} title="Could not load the instances." />
        <ErrorBanner error={clusters.error} title="Could not load the clusters." />
        {unhealthy.length > 0 && (
          <div className="alert alert-error unhealthy-banner" role="alert" aria-label="Unhealthy instances">
            <strong className="alert-title">
              {unhealthy.length} {unhealthy.length === 1 ? 'instance needs' : 'instances need'} attention
            </strong>
            <ul className="unhealthy-list">
              {unhealthy.map((deployment) => (
                <li key={deployment.id}>
                  <Link to={`/instances/${deployment.id}`} className="mono">
                    {deployment.name}
                  </Link>{' '}
                  <StatusBadge deployment={deployment} /> {deployment.statusReason ? <span className="mono">{deployment.statusReason}</span> : null}{' '}
                  {deployment.statusMessage && <span>— {deployment.statusMessage}</span>}
                </li>
              ))}
            </ul>
          </div>
        )}
        <section className="stat-cards" aria-label="Summary">
          <StatCard label="Instances" value={pending(String(deployments.data?.total ?? 0))} link="/instances" />
          <StatCard label="Running" value={pending(`${counts.running}/${items.length}`)} hint="instances serving" />
          <StatCard label="GPUs allocated" value={pending(`${gpus.allocated}/${gpus.allocatable}`)} hint="allocated of allocatable, all clusters" />
          <StatCard label="Clusters ready" value={pending(`${readyClusters}/${clusters.data?.total ?? 0}`)} link="/clusters" />
        </section>
        <TitledPanel title="Instances by status">
          {deployments.isPending ? <p className="muted">Loading…</p> : <StatusPie counts={counts} />}
          {deployments.data && deployments.data.total > items.length && (
            <p className="muted">Counted over the first {items.length} of {deployments.data.total} instances.</p>
          )}
        </TitledPanel>
      </div>
    </>
  );
}

function StatCard({ label, value, hint, link }: { label: string; value: string; hint?: string; link?: string }) {
  return (
    <div className="stat-card">
      <span className="stat-label">{link ? <Link to={link}>{label}</Link> : label}</span>
      <span className="stat-value" data-testid={`stat-${label.toLowerCase().replace(/\s+/g, '-')}`}>
        {value}
      </span>
      {hint && <span className="stat-hint">{hint}</span>}
    </div>
  );
}
