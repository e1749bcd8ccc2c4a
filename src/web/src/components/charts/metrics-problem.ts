import { isApiError } from '../../api/client';

/**
 * Why a monitoring request failed, as the pages treat it: Prometheus not set up (a setup hint),
 * the endpoint not there on this server (an empty state), Prometheus down or slow (the last data
 * with a stale marker), or anything else.
 */
export type MetricsProblemKind = 'not-configured' | 'not-served' | 'unavailable' | 'other';

export function metricsProblem(error: unknown): MetricsProblemKind | null {
  if (!error) return null;
  if (!isApiError(error)) return 'other';
  if (error.code === 'PROMETHEUS_NOT_CONFIGURED') return 'not-configured';
  if (error.code === 'ROUTE_NOT_FOUND') return 'not-served';
  if (error.status === 503 || error.status === 504 || error.status === 0) return 'unavailable';
  return 'other';
}
