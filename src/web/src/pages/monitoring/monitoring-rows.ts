import type { Deployment, MetricValue, MetricsSummary } from '../../api/types';

type SummaryRow = MetricsSummary['deployments'][number];

/** A deployment of the Monitoring table: the instance with its numbers now (none without metrics). */
export interface MonitoringRow {
  deployment: Deployment;
  requestsPerSecond: MetricValue;
  p95LatencySeconds: MetricValue;
  tokensPerSecond: MetricValue;
  errorsPerSecond: MetricValue;
}

export type MonitoringFilters = { status: string; cluster: string; runtime: string; q: string };
export const NO_FILTERS: MonitoringFilters = { status: '', cluster: '', runtime: '', q: '' };

/** Every deployment, with its summary numbers where the summary has them. */
export function monitoringRows(deployments: readonly Deployment[], summary: MetricsSummary | undefined, noMetrics: string): MonitoringRow[] {
  const byId = new Map<string, SummaryRow>(summary?.deployments.map((row) => [row.deploymentId, row]));
  const none: MetricValue = { value: null, reason: noMetrics };
  return deployments.map((deployment) => {
    const row = byId.get(deployment.id);
    return {
      deployment,
      requestsPerSecond: row?.requestsPerSecond ?? none,
      p95LatencySeconds: row?.p95LatencySeconds ?? none,
      tokensPerSecond: row?.tokensPerSecond ?? none,
      errorsPerSecond: row?.errorsPerSecond ?? none,
    };
  });
}

/** The rows the filters let through: status, cluster and runtime exactly, text in the name or model. */
export function filterRows(rows: readonly MonitoringRow[], filters: MonitoringFilters): MonitoringRow[] {
  const text = filters.q.toLowerCase();
  return rows.filter(({ deployment }) => {
    if (filters.status && deployment.status !== filters.status) return false;
    if (filters.cluster && deployment.cluster !== filters.cluster) return false;
    if (filters.runtime && deployment.runtime !== filters.runtime) return false;
    return !text || deployment.name.toLowerCase().includes(text) || deployment.modelName.toLowerCase().includes(text);
  });
}

/** Distinct values, sorted: the options of a filter. */
export const distinct = (values: readonly string[]) => [...new Set(values)].sort();
