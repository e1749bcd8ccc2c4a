import { Link } from 'react-router';
import type { Column } from '../../components/DataTable';
import { metricColumns } from '../../components/charts/metric-columns';
import { StatusBadge } from '../instances/StatusBadge';
import type { MonitoringRow } from './monitoring-rows';

/** The Monitoring page's deployments: name (to its Metrics tab; the model in its tooltip), where, how, status, numbers now. */
export const monitoringColumns: ReadonlyArray<Column<MonitoringRow>> = [
  {
    header: 'Instance',
    cell: ({ deployment }) => (
      <Link to={`/instances/${deployment.id}/metrics`} className="mono" title={`Model ${deployment.modelName}`}>
        {deployment.name}
      </Link>
    ),
  },
  { header: 'Cluster', cell: ({ deployment }) => deployment.cluster, className: 'mono' },
  { header: 'Runtime', cell: ({ deployment }) => deployment.runtime, className: 'nowrap' },
  { header: 'Status', cell: ({ deployment }) => <StatusBadge deployment={deployment} /> },
  ...metricColumns,
];
