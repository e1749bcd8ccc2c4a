import type { MetricValue } from '../../api/types';

/**
 * What a metric's number means, and so how it reads: rates per second, latencies in seconds
 * (shown in ms below 10 s), shares 0–1 (shown as %), percentages 0–100, counts, °C, bytes.
 */
export type MetricUnit = 'rps' | 'tps' | 'seconds' | 'ratio' | 'percent' | 'count' | 'celsius' | 'watts';

const compact = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, notation: 'compact' });
const twoDigits = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** A number with up to 3 significant digits, large ones compact: 0.0123 → "0.0123", 15320 → "15.3K". */
function plain(value: number): string {
  return Math.abs(value) >= 10_000 ? compact.format(value) : twoDigits.format(value);
}

/** 0.1234 s → "123 ms"; 3.4 s → "3.4 s". */
function duration(seconds: number): string {
  if (Math.abs(seconds) >= 1) return `${plain(seconds)} s`;
  const ms = seconds * 1000;
  return `${ms >= 100 ? Math.round(ms) : plain(ms)} ms`;
}

/** A value in its unit, for tiles, tables and tooltips. */
export function formatMetric(value: number, unit: MetricUnit): string {
  switch (unit) {
    case 'rps':
      return `${plain(value)} req/s`;
    case 'tps':
      return `${plain(value)} tokens/s`;
    case 'seconds':
      return duration(value);
    case 'ratio':
      return `${plain(value * 100)} %`;
    case 'percent':
      return `${plain(value)} %`;
    case 'celsius':
      return `${Math.round(value)} °C`;
    case 'watts':
      return `${Math.round(value)} W`;
    case 'count':
      return plain(value);
  }
}

/** Shorter, for chart axes: no unit words where the chart's title says them. */
export function formatAxis(value: number, unit: MetricUnit): string {
  switch (unit) {
    case 'seconds':
      return Math.abs(value) >= 1 ? `${plain(value)} s` : `${plain(value * 1000)} ms`;
    case 'ratio':
      return `${plain(value * 100)}%`;
    case 'percent':
      return `${plain(value)}%`;
    default:
      return plain(value);
  }
}

/** A value split into its number and unit words, for a big number with a small unit: ["413", "tokens/s"]. */
export function metricParts(value: number, unit: MetricUnit): [string, string] {
  const text = formatMetric(value, unit);
  const space = text.indexOf(' ');
  return space < 0 ? [text, ''] : [text.slice(0, space), text.slice(space + 1)];
}

/** A normalized value in its unit, or "—" when there is none (its reason goes in a tooltip). */
export function formatMetricValue(metric: MetricValue | undefined, unit: MetricUnit): string {
  return metric?.value === null || metric?.value === undefined ? '—' : formatMetric(metric.value, unit);
}

