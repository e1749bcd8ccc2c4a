import { Icon } from '../Icon';

/** "Stale": the numbers on show are older than they should be, and why. */
export function StaleMarker({ since, reason }: { /** When the numbers are of (ISO). */ since?: string | undefined; reason?: string | undefined }) {
  const time = since ? new Date(since) : null;
  const when = time && !Number.isNaN(time.getTime()) ? time.toLocaleTimeString() : null;
  return (
    <div className="stale-marker" role="status" aria-label="Stale data">
      <Icon name="offline" size={14} />
      <strong>Stale</strong>
      <span>
        {when ? `Showing data from ${when}` : 'Showing the last data'}
        {reason ? ` — ${reason}` : '.'}
      </span>
    </div>
  );
}
