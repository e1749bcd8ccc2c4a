import type { MetricValue } from '../../api/types';
import type { Column } from '../DataTable';
import { MetricCell } from './MetricCell';

/** What a table row of a deployment's numbers has (the dashboard's running models, the Monitoring page). */
export interface DeploymentNumbers {
  requestsPerSecond: MetricValue;
  p95LatencySeconds: MetricValue;
  tokensPerSecond: MetricValue;
  errorsPerSecond: MetricValue;
}

/** Requests/s, p95 latency, tokens/s and errors/s as table columns (the rates' unit in their header). */
export const metricColumns: ReadonlyArray<Column<DeploymentNumbers>> = [
  { header: 'Requests/s', cell: (row) => <MetricCell metric={row.requestsPerSecond} unit="rps" bare />, className: 'nowrap' },
  { header: 'p95 latency', cell: (row) => <MetricCell metric={row.p95LatencySeconds} unit="seconds" />, className: 'nowrap' },
  { header: 'Tokens/s', cell: (row) => <MetricCell metric={row.tokensPerSecond} unit="tps" bare />, className: 'nowrap' },
  { header: 'Errors/s', cell: (row) => <MetricCell metric={row.errorsPerSecond} unit="rps" bare />, className: 'nowrap' },
];
