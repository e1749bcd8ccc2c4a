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
    // The display name under the name: one column, so the table fits a laptop screen.
    cell: (cluster) => (
      <span className="cell-stack">
        <Link to={`/clusters/${encodeURIComponent(cluster.name)}`} className="mono nowrap">
          {cluster.name}
        </Link>
        {cluster.displayName && cluster.displayName !== cluster.name && <span className="cell-sub">{cluster.displayName}</span>}
      </span>
    ),
  },
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
