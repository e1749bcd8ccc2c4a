const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatDateTime(iso: string | null | undefined, fallback = '—'): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatDateTimeSeconds(iso: string | null | undefined, fallback = '—'): string {
  if (!iso) return fallback;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeSeconds.format(date);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO instant → the local "YYYY-MM-DDTHH:mm" a datetime-local input shows. */
export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A datetime-local value (local wall time) → ISO instant, or undefined when empty/invalid.
 * With `endOfMinute` the instant is the last millisecond of that minute, so "to 14:05"
 * includes entries written at 14:05:30.
 */
export function localInputToIso(value: string, { endOfMinute = false } = {}): string | undefined {
  if (!value) return undefined;
  const d = new Date(value); // no zone designator: parsed as local time
  if (Number.isNaN(d.getTime())) return undefined;
  if (endOfMinute && d.getSeconds() === 0 && d.getMilliseconds() === 0) d.setSeconds(59, 999);
  return d.toISOString();
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 2164129763328 → "2.0 TiB" (binary units, as Kubernetes reports memory). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

const integer = new Intl.NumberFormat('en-US');

/** 131072 → "131,072"; null → "—". */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : integer.format(value);
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always', style: 'short' });

/** An instant relative to `now`: "12 sec. ago", "3 min. ago", "2 hr. ago", "4 days ago"; null → "never". */
export function formatRelativeTime(iso: string | null | undefined, now: number, fallback = 'never'): string {
  if (!iso) return fallback;
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((at - now) / 1000);
  const size = Math.abs(seconds);
  if (size < 60) return relative.format(Math.min(seconds, 0), 'second');
  if (size < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (size < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86_400), 'day');
}
