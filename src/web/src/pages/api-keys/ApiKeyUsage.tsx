import { useApiKeyMetrics } from '../../api/gateway-hooks';
import type { ApiKeyMetrics } from '../../api/types';
import { isApiError } from '../../api/client';

type Value = ApiKeyMetrics['requestsPerSecond'];

const shown = (value: Value, format: (n: number) => string) => (value.value === null ? <span title={value.reason}>—</span> : format(value.value));
const perSecond = (n: number) => `${n < 10 ? n.toFixed(2) : n.toFixed(0)}/s`;
const seconds = (n: number) => (n < 1 ? `${Math.round(n * 1000)} ms` : `${n.toFixed(2)} s`);

/**
 * What one key did through the gateway in the last hour (requests/s, p95 latency, tokens/s),
 * from Prometheus; a short hint when Prometheus is not set up or does not answer.
 */
export function ApiKeyUsage({ id }: { id: string }) {
  return <section className="key-usage">{usage(useApiKeyMetrics(id))}</section>;
}

function usage(metrics: ReturnType<typeof useApiKeyMetrics>) {
  if (metrics.isPending) return <p className="muted">Loading the last hour’s traffic…</p>;
  if (metrics.error) {
    const hint = isApiError(metrics.error) && metrics.error.code === 'PROMETHEUS_NOT_CONFIGURED' ? 'Traffic per key needs Prometheus (PROMETHEUS_URL; see docs/monitoring.md).' : `Traffic unavailable: ${metrics.error.message}`;
    return <p className="muted">{hint}</p>;
  }
  const data = metrics.data;
  const tokens: Value =
    data.promptTokensPerSecond.value === null && data.completionTokensPerSecond.value === null
      ? data.promptTokensPerSecond
      : { value: (data.promptTokensPerSecond.value ?? 0) + (data.completionTokensPerSecond.value ?? 0) };
  return (
    <dl className="facts" aria-label="Traffic in the last hour">
      <div>
        <dt>Requests, last hour</dt>
        <dd>{shown(data.requestsPerSecond, perSecond)}</dd>
      </div>
      <div>
        <dt>Latency p95</dt>
        <dd>{shown(data.latencySeconds.p95, seconds)}</dd>
      </div>
      <div>
        <dt>Tokens</dt>
        <dd>{shown(tokens, perSecond)}</dd>
      </div>
    </dl>
  );
}
