import { Link } from 'react-router';
import type { Cluster, Deployment } from '../../api/types';
import { Badge } from '../../components/Badge';
import { READINESS } from '../clusters/cluster-format';
import { StatusBadge } from '../instances/StatusBadge';

/** Instances that failed or whose state is unknown, and clusters not ready (or not known to be). */
export function AttentionBanner({ deployments, clusters }: { deployments: readonly Deployment[]; clusters: readonly Cluster[] }) {
  const unhealthy = deployments.filter((deployment) => deployment.status === 'failed' || deployment.status === 'unknown');
  const notReady = clusters.filter((cluster) => cluster.readiness.state !== 'ready');
  const count = unhealthy.length + notReady.length;
  if (count === 0) return null;
  const parts = [
    unhealthy.length > 0 && `${unhealthy.length} ${unhealthy.length === 1 ? 'instance' : 'instances'}`,
    notReady.length > 0 && `${notReady.length} ${notReady.length === 1 ? 'cluster' : 'clusters'}`,
  ].filter(Boolean);
  return (
    <div className="alert alert-error unhealthy-banner" role="alert" aria-label="Needs attention">
      <strong className="alert-title">
        {parts.join(' and ')} {count === 1 ? 'needs' : 'need'} attention
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
        {notReady.map((cluster) => (
          <li key={`cluster/${cluster.name}`}>
            Cluster{' '}
            <Link to={`/clusters/${encodeURIComponent(cluster.name)}`} className="mono">
              {cluster.name}
            </Link>{' '}
            <Badge tone={READINESS[cluster.readiness.state].tone}>{READINESS[cluster.readiness.state].label}</Badge>{' '}
            {cluster.readiness.message && <span>— {cluster.readiness.message}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
