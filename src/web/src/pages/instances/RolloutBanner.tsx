import { useState } from 'react';
import { useRolloutProgress, useRollouts, useRolloutRollback } from '../../api/rollout-hooks';
import type { Deployment, Rollout } from '../../api/types';
import { useCanOperate } from '../../auth/current-user';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatDateTimeSeconds } from '../../lib/format';
import { RolloutProgress } from './RolloutProgress';

const LATEST = { limit: 2, offset: 0 } as const;

/**
 * Above the tabs: the rollout in progress (progress, old vs new replicas, manual rollback), or the
 * automatic rollback that undid the last change (why), or a rollback that failed. Nothing otherwise.
 */
export function RolloutBanner({ deployment, enabled }: { deployment: Deployment; enabled: boolean }) {
  const rollouts = useRollouts(deployment.id, LATEST, enabled);
  const latest = rollouts.data?.items[0];
  const progressing = latest?.state === 'progressing';
  const current = useRolloutProgress(deployment.id, enabled && progressing);
  if (!latest) return null;
  if (progressing) return <ProgressingBanner deployment={deployment} rollout={latest} progress={current.data?.progress} />;
  const undone = latest.rollbackOf ? rollouts.data?.items.find((item) => item.id === latest.rollbackOf) : undefined;
  if (latest.state === 'failed') {
    return (
      <div className="alert alert-error rollout-banner" role="alert" aria-label="Rollout">
        <strong className="alert-title">The automatic rollback failed</strong>
        <span>{latest.message}</span>
        <span className="alert-meta">{formatDateTimeSeconds(latest.finishedAt)}</span>
      </div>
    );
  }
  // The monitor's rollbacks have no actor; an operator's own rollback needs no banner.
  if (latest.cause === 'rollback' && latest.actorId === null) {
    return (
      <div className="alert alert-warning rollout-banner" role="status" aria-label="Rollout">
        <strong className="alert-title">Rolled back automatically</strong>
        <span>
          The last change failed{undone?.reason ? <> with <span className="mono">{undone.reason}</span></> : ''}
          {undone?.message ? `: ${undone.message.replace(/\.$/, '')}` : ''}. The settings from before it are back
          {latest.state === 'succeeded' ? ' and ready.' : '.'}
        </span>
        <span className="alert-meta">{formatDateTimeSeconds(undone?.finishedAt ?? latest.startedAt)}</span>
      </div>
    );
  }
  return null;
}

function ProgressingBanner({ deployment, rollout, progress }: { deployment: Deployment; rollout: Rollout; progress: Parameters<typeof RolloutProgress>[0]['progress'] }) {
  const canOperate = useCanOperate();
  const rollback = useRolloutRollback();
  const [confirming, setConfirming] = useState(false);
  const isRollback = rollout.cause === 'rollback';
  return (
    <div className="alert alert-info rollout-banner" role="status" aria-label="Rollout">
      <strong className="alert-title">{isRollback ? 'Rolling back' : 'Rollout in progress'}</strong>
      <span>
        {rollout.strategy === 'RollingUpdate' ? 'New replicas start beside the old ones' : 'The replicas restart with the new settings'}; started {formatDateTimeSeconds(rollout.startedAt)}.
      </span>
      {canOperate && !isRollback && (
        <button type="button" className="btn btn-secondary btn-small rollout-banner-action" onClick={() => setConfirming(true)}>
          Roll back
        </button>
      )}
      <RolloutProgress progress={progress} />
      <ConfirmDialog
        open={confirming}
        title={`Roll back ${deployment.name}?`}
        confirmLabel="Roll back"
        pending={rollback.isPending}
        error={<ErrorBanner error={rollback.error} title="Could not roll back." />}
        onCancel={() => {
          rollback.reset();
          setConfirming(false);
        }}
        onConfirm={() => rollback.mutate(deployment.id, { onSuccess: () => setConfirming(false) })}
      >
        <p>The settings from before this rollout come back, through a rollout of their own.</p>
      </ConfirmDialog>
    </div>
  );
}
