import { PERCENTILE_SERVING_FIELDS, SCALAR_SERVING_FIELDS, type GatewayMetrics, type MetricValue, type Percentiles, type ServingMetrics } from '../domain/monitoring.js';
import type { PercentileMetricSource, ScalarMetricSource, ServingMetricMap } from '../runtimes/runtime-adapter.js';
import { GATEWAY_PERCENTILE_FIELDS, GATEWAY_SCALAR_FIELDS, GATEWAY_SOURCES } from './gateway-sources.js';

/** How one source (Prometheus, or live readings) turns a table row into a value. */
export interface FieldReader {
  scalar(source: ScalarMetricSource): Promise<MetricValue> | MetricValue;
  percentiles(source: PercentileMetricSource): Promise<Percentiles> | Percentiles;
}

async function fill<T>(scalars: readonly string[], percentiles: readonly string[], sources: Record<string, ScalarMetricSource | PercentileMetricSource>, reader: FieldReader): Promise<T> {
  const entries = await Promise.all([
    ...scalars.map(async (field) => [field, await reader.scalar(sources[field] as ScalarMetricSource)] as const),
    ...percentiles.map(async (field) => [field, await reader.percentiles(sources[field] as PercentileMetricSource)] as const),
  ]);
  return Object.fromEntries(entries) as T;
}

/** Every serving field of a runtime's table, read by `reader`. */
export const readServing = (map: ServingMetricMap, reader: FieldReader): Promise<ServingMetrics> =>
  fill<ServingMetrics>(SCALAR_SERVING_FIELDS, PERCENTILE_SERVING_FIELDS, map.fields, reader);

/** Every gateway field, read by `reader`. */
export const readGateway = (reader: FieldReader): Promise<GatewayMetrics> => fill<GatewayMetrics>(GATEWAY_SCALAR_FIELDS, GATEWAY_PERCENTILE_FIELDS, GATEWAY_SOURCES, reader);

/** Fields a runtime never exposes, with why. */
export function unsupportedFields(map: ServingMetricMap): Array<{ field: string; reason: string }> {
  return Object.entries(map.fields).flatMap(([field, source]) => (source.kind === 'unsupported' ? [{ field, reason: source.reason }] : []));
}

/** Reasons joined into one sentence (`staleReason`). */
export const sentence = (parts: readonly string[]): string => {
  const text = parts.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
};
