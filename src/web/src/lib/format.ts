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
