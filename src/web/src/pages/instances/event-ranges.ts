/** The time ranges the events history offers at one click, newest events first. */
export const EVENT_RANGES = [
  { key: '1h', label: 'Last hour', ms: 3_600_000 },
  { key: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { key: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { key: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;
export type EventRangeKey = (typeof EVENT_RANGES)[number]['key'];
export const DEFAULT_EVENT_RANGE: EventRangeKey = '24h';

/** The preset of a URL value (the default for anything else). */
export function eventRange(value: string | undefined) {
  return EVENT_RANGES.find((range) => range.key === value) ?? EVENT_RANGES.find((range) => range.key === DEFAULT_EVENT_RANGE)!;
}
