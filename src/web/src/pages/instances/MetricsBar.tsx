import { Link } from 'react-router';
import { useDeploymentMetrics } from '../../api/metrics-hooks';
import type { DeploymentMetricsSnapshot, MetricValue } from '../../api/types';
import { MetricsStatus } from '../../components/charts/MetricsStatus';
import type { MetricUnit } from '../../components/charts/units';
import { formatMetricValue } from '../../components/charts/units';

interface BarItem {
  label: string;
  unit: MetricUnit;
  /** The runtime's number, else the gateway's (Ollama has none of its own). */
  pick: (snapshot: DeploymentMetricsSnapshot) => { metric: MetricValue; fromGateway: boolean };
}

const runtimeOrGateway = (runtime: MetricValue, gateway: MetricValue) =>
  runtime.value === null && gateway.value !== null ? { metric: gateway, fromGateway: true } : { metric: runtime, fromGateway: false };

const ITEMS: readonly BarItem[] = [
  { label: 'Requests', unit: 'rps', pick: (s) => runtimeOrGateway(s.serving.requestsPerSecond, s.gateway.requestsPerSecond) },
  { label: 'p95 latency', unit: 'seconds', pick: (s) => runtimeOrGateway(s.serving.e2eLatencySeconds.p95, s.gateway.latencySeconds.p95) },
  { label: 'Tokens', unit: 'tps', pick: (s) => runtimeOrGateway(s.serving.generatedTokensPerSecond, s.gateway.completionTokensPerSecond) },
];

/** The Overview's one line of numbers (requests/s, p95 latency, tokens/s), every 10 s, linking to the Metrics tab. */
export function MetricsBar({ deploymentId, enabled }: { deploymentId: string; enabled: boolean }) {
  const snapshot = useDeploymentMetrics(deploymentId, enabled);
  const data = snapshot.data;
  return (
    <section className="metrics-bar" aria-label="Metrics now">
      {data ? (
        ITEMS.map((item) => {
          const { metric, fromGateway } = item.pick(data);
          const note = metric.value === null ? metric.reason : fromGateway ? 'measured by the gateway' : undefined;
          return (
            <div key={item.label} className="metrics-bar-item" title={note}>
              <span className="metrics-bar-label">{item.label}</span>
              <span className="metrics-bar-value">{formatMetricValue(metric, item.unit)}</span>
            </div>
          );
        })
      ) : (
        <span className="muted">{snapshot.isPending ? 'Loading metrics…' : null}</span>
      )}
      <div className="metrics-bar-status">
        <MetricsStatus what="metrics" error={snapshot.error} hasData={data !== undefined} at={data?.at} stale={data?.stale} staleReason={data?.staleReason} compact />
      </div>
      <Link to="metrics" className="metrics-bar-link">
        All metrics
      </Link>
    </section>
  );
}
