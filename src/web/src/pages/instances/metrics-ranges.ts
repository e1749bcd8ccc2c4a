import type { MetricsRange } from '../../api/types';

/** The Metrics tab's range presets (the history endpoint's), shortest first. */
export const METRICS_RANGES: ReadonlyArray<{ key: MetricsRange; label: string }> = [
  { key: '15m', label: '15 min' },
  { key: '1h', label: '1 hour' },
  { key: '6h', label: '6 hours' },
  { key: '24h', label: '24 hours' },
  { key: '7d', label: '7 days' },
];

export const DEFAULT_METRICS_RANGE: MetricsRange = '1h';

/** The preset of a URL value (the default for anything else). */
export const metricsRange = (value: string | null): MetricsRange => METRICS_RANGES.find((range) => range.key === value)?.key ?? DEFAULT_METRICS_RANGE;
