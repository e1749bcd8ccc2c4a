import { useHistoryRollbackPreview, useRollbackToHistory } from '../../api/rollout-hooks';
import type { ConfigHistoryEntry, Deployment } from '../../api/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatDateTimeSeconds } from '../../lib/format';
import { ConfigDiffList } from './ConfigDiffList';
import { DryRunView } from './DryRunView';

/**
 * Back to the settings a history entry left: first the server's dry run (what changes, restart or
 * not, the fit), then the rollback itself. `entry` null: closed.
 */
export function HistoryRollbackDialog({ deployment, entry, onClose }: { deployment: Deployment; entry: ConfigHistoryEntry | null; onClose: (done?: string) => void }) {
  const preview = useHistoryRollbackPreview(deployment.id, entry?.id ?? null);
  const rollback = useRollbackToHistory();
  const when = entry ? formatDateTimeSeconds(entry.createdAt) : '';
  return (
    <ConfirmDialog
      open={entry !== null}
      title={`Roll back ${deployment.name} to ${when}?`}
      confirmLabel="Roll back"
      tone="primary"
      pending={rollback.isPending}
      confirmDisabled={!preview.data}
      error={<ErrorBanner error={rollback.error} title="Could not roll back." />}
      onCancel={() => {
        rollback.reset();
        onClose();
      }}
      onConfirm={() => {
        if (!entry) return;
        rollback.mutate(
          { id: deployment.id, historyId: entry.id },
          {
            onSuccess: () => {
              rollback.reset();
              onClose(`${deployment.name} rolls back to its settings of ${when}.`);
            },
          },
        );
      }}
    >
      <section className="preview change-preview" aria-label="Rollback preview" aria-live="polite">
        <p>The settings this change left come back, through the same path as an edit.</p>
        {preview.isPending && <p className="muted">Asking the server what this rollback would do…</p>}
        <ErrorBanner error={preview.error} title="This rollback cannot be previewed." />
        {preview.data && (
          <>
            <ConfigDiffList changes={preview.data.diff} />
            <DryRunView answer={preview.data} />
          </>
        )}
      </section>
    </ConfirmDialog>
  );
}
