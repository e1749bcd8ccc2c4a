import { durationSeconds, type ApiKeyMetrics, type ApiKeyMetricsQuery } from '../../domain/monitoring.js';
import { prometheusApiKeyMetrics } from '../../metrics/api-key-metrics.js';
import { checkRangeSeconds } from '../../metrics/metrics-history.js';
import { PrometheusNotConfiguredError, type PrometheusClient } from '../../metrics/prometheus-client.js';
import type { ApiKeyActor, ApiKeyService } from '../api-keys/api-key-service.js';

const DEFAULT_RANGE_SECONDS = 3600;

export interface ApiKeyMetricsDeps {
  /** Who may see a key: its owner or an admin; anyone else gets 404, as for the key itself. */
  apiKeys: Pick<ApiKeyService, 'get'>;
  /** Undefined without PROMETHEUS_URL. */
  prometheus: PrometheusClient | undefined;
  now?: () => Date;
}

/** What one API key did through the gateway, from Prometheus only (the series live on every gateway instance). */
export function createApiKeyMetricsService(deps: ApiKeyMetricsDeps) {
  const now = deps.now ?? (() => new Date());
  return {
    async metrics(actor: ApiKeyActor, id: string, query: ApiKeyMetricsQuery): Promise<ApiKeyMetrics> {
      const rangeSeconds = query.range !== undefined ? durationSeconds(query.range) : DEFAULT_RANGE_SECONDS;
      checkRangeSeconds(rangeSeconds);
      const key = await deps.apiKeys.get(actor, id);
      if (!deps.prometheus) throw new PrometheusNotConfiguredError();
      return prometheusApiKeyMetrics(deps.prometheus, key.id, rangeSeconds, now());
    },
  };
}

export type ApiKeyMetricsService = ReturnType<typeof createApiKeyMetricsService>;
