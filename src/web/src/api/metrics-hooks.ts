import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { pollEvery, POLL_MS } from '../lib/polling';
import { api } from './client';
import { itemPath } from './collection-hooks';
import { CLUSTERS } from './cluster-hooks';
import { DEPLOYMENTS } from './deployment-hooks';
import { queryKeys } from './hooks';
import type { ClusterGpuMetrics, DeploymentMetricsHistory, DeploymentMetricsSnapshot, MetricsRange, MetricsSummary } from './types';

// Monitoring answers change every poll and their failures (Prometheus not set up, down or slow)
// do not heal by asking again at once: the next poll asks anyway. So no retries, and a failed
// poll keeps the last answer in `data` (TanStack Query does), which the pages mark as stale.
const METRICS_QUERY = { retry: false, staleTime: 0 } as const;

export const METRICS_SUMMARY = '/api/metrics/summary';

/** Chart steps: 60–180 points a line whatever the range. */
export const HISTORY_STEP_SECONDS: Record<MetricsRange, number> = { '15m': 15, '1h': 30, '6h': 120, '24h': 600, '7d': 3600 };

/** `GET /api/deployments/:id/metrics`: the numbers now; every 10 s. */
export function useDeploymentMetrics(id: string, enabled = true) {
  return useQuery({
    ...METRICS_QUERY,
    ...pollEvery(POLL_MS.snapshot),
    enabled,
    queryKey: [...queryKeys.item(DEPLOYMENTS, id), 'metrics'],
    queryFn: ({ signal }) => api.get<DeploymentMetricsSnapshot>(`${itemPath(DEPLOYMENTS, id)}/metrics`, { signal }),
  });
}

/** `GET /api/deployments/:id/metrics/history`: chart lines over a preset range; every 60 s. */
export function useDeploymentMetricsHistory(id: string, range: MetricsRange, enabled = true) {
  return useQuery({
    ...METRICS_QUERY,
    ...pollEvery(POLL_MS.history),
    enabled,
    queryKey: [...queryKeys.item(DEPLOYMENTS, id), 'metrics-history', range],
    queryFn: ({ signal }) =>
      api.get<DeploymentMetricsHistory>(`${itemPath(DEPLOYMENTS, id)}/metrics/history`, { query: { range, step: `${HISTORY_STEP_SECONDS[range]}s` }, signal }),
    // Switching range keeps the old lines until the new ones arrive.
    placeholderData: keepPreviousData,
  });
}

const gpuMetricsQuery = (cluster: string) => ({
  ...METRICS_QUERY,
  ...pollEvery(POLL_MS.gpu),
  queryKey: [...queryKeys.item(CLUSTERS, cluster), 'gpu-metrics'],
  queryFn: ({ signal }: { signal: AbortSignal }) => api.get<ClusterGpuMetrics>(`${itemPath(CLUSTERS, cluster)}/gpu-metrics`, { signal }),
});

/** `GET /api/clusters/:name/gpu-metrics`: each GPU of one cluster; every 30 s. */
export function useClusterGpuMetrics(cluster: string, enabled = true) {
  return useQuery({ ...gpuMetricsQuery(cluster), enabled: enabled && cluster !== '' });
}

/** The GPU metrics of several clusters at once (the Monitoring page), in the order given. */
export function useClustersGpuMetrics(clusters: readonly string[]) {
  return useQueries({ queries: clusters.map((cluster) => gpuMetricsQuery(cluster)) });
}

/** `GET /api/metrics/summary`: the dashboard's totals, running models and GPU heat; every 15 s. */
export function useMetricsSummary() {
  return useQuery({
    ...METRICS_QUERY,
    ...pollEvery(POLL_MS.aggregates),
    queryKey: [METRICS_SUMMARY],
    queryFn: ({ signal }) => api.get<MetricsSummary>(METRICS_SUMMARY, { signal }),
  });
}
