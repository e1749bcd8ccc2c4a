import type { CostGroup } from '../../api/types';

const DAY_MS = 86_400_000;

/** The ranges a click away; `custom` takes From / To. */
export const COST_RANGES = [
  { key: '7d', label: 'Last 7 days', days: 7 },
  { key: '30d', label: 'Last 30 days', days: 30 },
  { key: '90d', label: 'Last 90 days', days: 90 },
] as const;
export type CostRangeKey = (typeof COST_RANGES)[number]['key'] | 'custom';

export const COST_GROUPS: ReadonlyArray<{ key: CostGroup; label: string }> = [
  { key: 'deployment', label: 'Deployment' },
  { key: 'apiKey', label: 'API key' },
  { key: 'cluster', label: 'Cluster' },
];

export const costGroup = (value: string | null): CostGroup => COST_GROUPS.find((group) => group.key === value)?.key ?? 'deployment';
export const costRange = (value: string | null): CostRangeKey => (value === 'custom' || COST_RANGES.some((range) => range.key === value) ? (value as CostRangeKey) : '30d');

/**
 * The instants of a range: a preset ends now (rounded down to the minute, so the query holds
 * still); a custom range runs from the start of its From day to the end of its To day (local).
 */
export function rangeInstants(range: CostRangeKey, custom: { from?: string | undefined; to?: string | undefined }, now: number): { from?: string; to?: string } {
  if (range === 'custom') {
    const from = custom.from ? new Date(`${custom.from}T00:00:00`) : undefined;
    const to = custom.to ? new Date(new Date(`${custom.to}T00:00:00`).getTime() + DAY_MS) : undefined;
    return { ...(from && !Number.isNaN(from.getTime()) ? { from: from.toISOString() } : {}), ...(to && !Number.isNaN(to.getTime()) ? { to: to.toISOString() } : {}) };
  }
  const days = COST_RANGES.find((preset) => preset.key === range)!.days;
  const end = Math.floor(now / 60_000) * 60_000;
  return { from: new Date(end - days * DAY_MS).toISOString(), to: new Date(end).toISOString() };
}

/** 1234.5 → "$1,234.50"; small amounts keep four decimals ("$0.0042"); no currency yet → the bare number. */
export function formatMoney(value: number | null, currency: string | null): string {
  if (value === null) return '—';
  const digits = value !== 0 && Math.abs(value) < 1 ? 4 : 2;
  const options: Intl.NumberFormatOptions = { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return currency ? new Intl.NumberFormat('en-US', { ...options, style: 'currency', currency }).format(value) : new Intl.NumberFormat('en-US', options).format(value);
}

/** GPU-hours with two decimals ("12.25"), "0" for none. */
export const formatGpuHours = (value: number): string => (value === 0 ? '0' : new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value));
