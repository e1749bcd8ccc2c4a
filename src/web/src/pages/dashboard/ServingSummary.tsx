import type { MetricsSummary } from '../../api/types';
import { StatTile } from '../../components/charts/StatTile';
import { MONITORING_DOCS } from '../../components/charts/PrometheusHint';

/** Serving performance over every instance: total requests and tokens per second, mean TTFT, active requests, fullest KV cache, mean GPU temperature. */
export function ServingSummary({ summary }: { summary: MetricsSummary }) {
  const { totals } = summary;
  return (
    <div className="stack-tight">
      <div className="stat-tiles stat-tiles-wide" role="group" aria-label="Serving performance">
        <StatTile label="Total requests" unit="rps" value={totals.requestsPerSecond} />
        <StatTile label="Total tokens" unit="tps" value={totals.tokensPerSecond} />
        <StatTile label="Mean time to first token" unit="seconds" value={totals.meanTtftSeconds} />
        <StatTile label="Active requests" unit="count" value={totals.activeRequests} />
        <StatTile label="Fullest KV cache" unit="ratio" value={totals.maxKvCacheUsage} />
        <StatTile label="Mean GPU temperature" unit="celsius" value={totals.meanGpuTemperatureCelsius} />
      </div>
      {summary.prometheus !== 'configured' && (
        <p className="muted">
          {summary.prometheus === 'not_configured' ? 'Prometheus is not set up' : 'Prometheus does not answer'}: these are live reads of each replica. Set{' '}
          <code>PROMETHEUS_URL</code> for history and GPU utilization ({MONITORING_DOCS}).
        </p>
      )}
    </div>
  );
}
