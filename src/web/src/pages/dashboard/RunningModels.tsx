import { Link } from 'react-router';
import type { MetricsSummary } from '../../api/types';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { metricColumns } from '../../components/charts/metric-columns';

export type SummaryDeployment = MetricsSummary['deployments'][number];

const columns: ReadonlyArray<Column<SummaryDeployment>> = [
  {
    header: 'Instance',
    cell: (row) => (
      <Link to={`/instances/${row.deploymentId}/metrics`} className="mono" aria-label={`Metrics of ${row.deployment}`}>
        {row.deployment}
      </Link>
    ),
  },
  { header: 'Cluster', cell: (row) => row.cluster, className: 'mono' },
  { header: 'Runtime', cell: (row) => row.runtime },
  ...metricColumns,
];

/** The running instances with their numbers now, each linking to its Metrics tab. */
export function RunningModels({ deployments }: { deployments: readonly SummaryDeployment[] }) {
  return <DataTable caption="Running models" dense columns={columns} rows={deployments} rowKey={(row) => row.deploymentId} empty="No instance is running." />;
}
