import type { DeploymentMetricsSnapshot, MetricValue, Percentiles } from '../domain/monitoring.js';
import type { PercentileMetricSource, ScalarMetricSource, ServingMetricMap } from '../runtimes/runtime-adapter.js';
import { readGateway, readServing, sentence, unsupportedFields, type FieldReader } from './normalize.js';
import type { PrometheusClient } from './prometheus-client.js';
import { percentileQuery, promString, scalarQuery, sourceNames, type PercentileKey } from './promql.js';

/** Rates over the last minute; percentiles over the last five (enough requests to rank). */
export const SNAPSHOT_RATE_WINDOW_SECONDS = 60;
export const SNAPSHOT_QUANTILE_WINDOW_SECONDS = 300;
/** Older than this, the newest scrape of a deployment makes its snapshot stale. */
export const STALE_AFTER_SECONDS = 120;

export interface PrometheusSnapshot {
  snapshot: DeploymentMetricsSnapshot;
  /** Whether Prometheus had any series of this deployment at all (none: not scraped yet). */
  hasSeries: boolean;
}

/**
 * A snapshot from Prometheus: one instant query per field, in parallel. An empty answer is null
 * with the series it looked for; NaN (no requests in the window) is null with that reason.
 * Prometheus errors propagate (503/504 with the cause), for the caller to fall back to live.
 */
export async function prometheusSnapshot(client: PrometheusClient, deployment: { id: string; name: string; runtime: { id: string; servingMetrics: ServingMetricMap } }, at: Date): Promise<PrometheusSnapshot> {
  // Whether any replica series of the deployment exists (the gateway's own do not tell that Prometheus scrapes its replicas).
  let found = false;
  const readerFor = (replicaSeries: boolean): FieldReader => {
    const value = async (query: string, names: string, emptyReason: string): Promise<MetricValue> => {
      const samples = await client.query(query, at);
      if (samples.length === 0) return { value: null, reason: `Prometheus has no ${names} series for this deployment.` };
      if (replicaSeries) found = true;
      const number = samples[0]!.value;
      return number === null ? { value: null, reason: emptyReason } : { value: number };
    };
    return {
      async scalar(source: ScalarMetricSource) {
        if (source.kind === 'unsupported') return { value: null, reason: source.reason };
        return value(scalarQuery(source, deployment.name, SNAPSHOT_RATE_WINDOW_SECONDS)!, sourceNames(source), 'Not a number (no samples in the window).');
      },
      async percentiles(source: PercentileMetricSource) {
        if (source.kind === 'unsupported') return { p50: { value: null, reason: source.reason }, p95: { value: null, reason: source.reason }, p99: { value: null, reason: source.reason } };
        const one = (key: PercentileKey) => value(percentileQuery(source, deployment.name, key, SNAPSHOT_QUANTILE_WINDOW_SECONDS)!, sourceNames(source), 'No request finished in the last 5 minutes.');
        const [p50, p95, p99] = await Promise.all([one('p50'), one('p95'), one('p99')]);
        return { p50, p95, p99 } satisfies Percentiles;
      },
    };
  };
  const [serving, gateway, scrape] = await Promise.all([readServing(deployment.runtime.servingMetrics, readerFor(true)), readGateway(readerFor(false)), scrapeHealth(client, deployment.name, at)]);
  return {
    hasSeries: found || scrape.targets > 0,
    snapshot: {
      deploymentId: deployment.id,
      deployment: deployment.name,
      runtime: deployment.runtime.id,
      source: 'prometheus',
      at: at.toISOString(),
      stale: scrape.problems.length > 0,
      ...(scrape.problems.length > 0 ? { staleReason: sentence(scrape.problems) } : {}),
      serving,
      gateway,
      unsupported: unsupportedFields(deployment.runtime.servingMetrics),
    },
  };
}

/** Whether Prometheus scrapes the deployment's replicas now: `up` of its targets and their last scrape. */
async function scrapeHealth(client: PrometheusClient, name: string, at: Date): Promise<{ targets: number; problems: string[] }> {
  const selector = `up{deployment=${promString(name)}}`;
  const [up, last] = await Promise.all([client.query(selector, at), client.query(`max(timestamp(${selector}))`, at)]);
  const problems: string[] = [];
  const down = up.filter((sample) => sample.value === 0).length;
  if (down > 0) problems.push(`Prometheus cannot scrape ${down} of ${up.length} replicas`);
  const newest = last[0]?.value;
  if (newest !== undefined && newest !== null) {
    const age = at.getTime() / 1000 - newest;
    if (age > STALE_AFTER_SECONDS) problems.push(`Prometheus last scraped this deployment ${Math.round(age)} s ago`);
  }
  return { targets: up.length, problems };
}
