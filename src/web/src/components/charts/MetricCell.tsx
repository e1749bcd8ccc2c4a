import type { MetricValue } from '../../api/types';
import type { MetricUnit } from './units';
import { formatMetricValue, metricParts } from './units';

/**
 * A number in a table cell, in its unit, with why it is missing in its tooltip ("—" then).
 * `bare`: the number alone, for a column whose header names the unit ("Requests/s").
 */
export function MetricCell({ metric, unit, bare = false }: { metric: MetricValue; unit: MetricUnit; bare?: boolean }) {
  const text = bare && metric.value !== null ? metricParts(metric.value, unit)[0] : formatMetricValue(metric, unit);
  return <span title={metric.value === null ? metric.reason : undefined}>{text}</span>;
}
