import type { RolloutProgress as Progress } from '../../api/types';

/** New replicas ready of those desired as a bar, and the old replicas still running beside it. */
export function RolloutProgress({ progress }: { progress: Progress | null | undefined }) {
  if (!progress) return <span className="rollout-counts">Asking the cluster for the replicas…</span>;
  const percent = progress.desired > 0 ? Math.round((Math.min(progress.ready, progress.desired) / progress.desired) * 100) : 100;
  return (
    <div className="rollout-progress">
      <div className="progress-track" role="progressbar" aria-label="New replicas ready" aria-valuemin={0} aria-valuemax={progress.desired} aria-valuenow={Math.min(progress.ready, progress.desired)}>
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="rollout-counts">
        New: {progress.ready}/{progress.desired} ready ({progress.updated} started) · Old: {progress.old} still running
        {progress.reason && (
          <>
            {' '}
            · <span className="mono">{progress.reason}</span>
          </>
        )}
      </span>
    </div>
  );
}
