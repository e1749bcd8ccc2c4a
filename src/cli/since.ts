const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A `--since` value as an instant: a duration back from `now` (`90s`, `30m`, `24h`, `7d`) or an
 * ISO 8601 date-time with offset (`2030-01-01T00:00:00Z`). Throws a sentence for anything else.
 */
export function parseSince(value: string, now: Date = new Date()): Date {
  const duration = /^(\d{1,6})([smhd])$/.exec(value.trim());
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2]!]!);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value.trim())) {
    const at = new Date(value.trim());
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw new Error(`"${value}" is not a duration (90s, 30m, 24h, 7d) or an ISO 8601 time with offset (2030-01-01T00:00:00Z).`);
}
