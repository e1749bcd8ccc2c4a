import { Link } from 'react-router';
import type { Deployment } from '../../api/types';
import type { Column } from '../../components/DataTable';
import { primaryEndpoint, replicaSummary } from './instance-format';
import { StatusBadge } from './StatusBadge';

const dash = <span className="muted">—</span>;

export const instanceColumns: ReadonlyArray<Column<Deployment>> = [
  {
    header: 'Name',
    cell: (deployment) => (
      <Link to={`/instances/${deployment.id}`} className="mono">
        {deployment.name}
      </Link>
    ),
    className: 'nowrap',
  },
  {
    header: 'Model',
    cell: (deployment) => (
      <Link to={`/models/${deployment.modelId}`} className="mono">
        {deployment.modelName}
      </Link>
    ),
  },
  {
    header: 'Cluster',
    cell: (deployment) => (
      <Link to={`/clusters/${encodeURIComponent(deployment.cluster)}`} className="mono">
        {deployment.cluster}
      </Link>
    ),
  },
  { header: 'Runtime', cell: (deployment) => deployment.runtime, className: 'mono nowrap' },
  { header: 'Status', cell: (deployment) => <StatusBadge deployment={deployment} /> },
  { header: 'Ready', cell: (deployment) => <span title={`${deployment.readyReplicas} of ${deployment.replicas} replicas ready`}>{replicaSummary(deployment)}</span>, className: 'nowrap' },
  {
    header: 'Endpoint',
    cell: (deployment) => {
      const endpoint = primaryEndpoint(deployment);
      if (!endpoint) return dash;
      const more = deployment.endpoints.length - 1;
      return (
        <span className="mono endpoint-cell" title={deployment.endpoints.join('\n')}>
          {endpoint}
          {more > 0 && <span className="muted"> +{more}</span>}
        </span>
      );
    },
  },
];
