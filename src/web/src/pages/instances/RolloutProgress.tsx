import type { RolloutProgress as Progress } from '../../api/types';

/** New replicas ready of those desired as a bar, and the old replicas still running beside it. */
export function RolloutProgress({ progress }: { progress: Progress | null | undefined }) {
  if (!progress) return <span className="rollout-counts">Asking the cluster for the replicas…</span>;
  // `ready` counts every ready replica, old ones too: the new ones ready are what is left.
  const newReady = Math.min(progress.desired, Math.max(0, progress.ready - progress.old));
  const percent = progress.desired > 0 ? Math.round((newReady / progress.desired) * 100) : 100;
  return (
    <div className="rollout-progress">
      <div className="progress-track" role="progressbar" aria-label="New replicas ready" aria-valuemin={0} aria-valuemax={progress.desired} aria-valuenow={newReady}>
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="rollout-counts">
        New replicas: {newReady}/{progress.desired} ready, {progress.updated} started · Old replicas still running: {progress.old}
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
