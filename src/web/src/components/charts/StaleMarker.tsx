import { Icon } from '../Icon';

/** "Stale": the numbers on show are older than they should be, and why. */
export function StaleMarker({ since, reason, compact = false }: { /** When the numbers are of (ISO). */ since?: string | undefined; reason?: string | undefined; /** Only "Stale" and the time; the reason in the tooltip. */ compact?: boolean }) {
  const time = since ? new Date(since) : null;
  const when = time && !Number.isNaN(time.getTime()) ? time.toLocaleTimeString() : null;
  const text = `${when ? `Showing data from ${when}` : 'Showing the last data'}${reason ? ` — ${reason}` : '.'}`;
  return (
    <div className="stale-marker" role="status" aria-label="Stale data" title={compact ? text : undefined}>
      <Icon name="offline" size={14} />
      <strong>Stale</strong>
      <span>{compact ? (when ?? '') : text}</span>
    </div>
  );
}
