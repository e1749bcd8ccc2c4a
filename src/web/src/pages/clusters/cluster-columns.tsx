import { Link } from 'react-router';
import type { Cluster } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { LabelChips } from '../../components/LabelChips';
import { connectionKindLabel, gpuSummary, TYPE_NAMES } from './cluster-format';
import { ReadinessBadge } from './ReadinessBadge';

export const clusterColumns: ReadonlyArray<Column<Cluster>> = [
  {
    header: 'Name',
    cell: (cluster) => (
      <Link to={`/clusters/${encodeURIComponent(cluster.name)}`} className="mono">
        {cluster.name}
      </Link>
    ),
    className: 'nowrap',
  },
  { header: 'Display name', cell: (cluster) => cluster.displayName },
  {
    header: 'Type',
    cell: (cluster) => (
      <Badge tone={cluster.type === 'HP' ? 'brand' : 'neutral'} title={TYPE_NAMES[cluster.type]}>
        {cluster.type}
      </Badge>
    ),
  },
  { header: 'Connection', cell: (cluster) => connectionKindLabel(cluster.connection.kind), className: 'nowrap' },
  { header: 'Readiness', cell: (cluster) => <ReadinessBadge readiness={cluster.readiness} /> },
  { header: 'GPUs', cell: (cluster) => gpuSummary(cluster.inventory), className: 'gpu-summary' },
  { header: 'CPU cores', cell: (cluster) => cluster.inventory?.totals.cpuCores ?? '—' },
  { header: 'Labels', cell: (cluster) => <LabelChips labels={cluster.labels} /> },
];
