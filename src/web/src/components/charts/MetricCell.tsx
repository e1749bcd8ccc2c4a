import type { MetricValue } from '../../api/types';
import type { MetricUnit } from './units';
import { formatMetricValue } from './units';

/** A number in a table cell, in its unit, with why it is missing in its tooltip ("—" then). */
export function MetricCell({ metric, unit }: { metric: MetricValue; unit: MetricUnit }) {
  return <span title={metric.value === null ? metric.reason : undefined}>{formatMetricValue(metric, unit)}</span>;
}
