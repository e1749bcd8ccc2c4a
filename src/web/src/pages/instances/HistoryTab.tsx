import { useState } from 'react';
import { useConfigHistory, useRollouts } from '../../api/rollout-hooks';
import type { ConfigHistoryEntry, Deployment } from '../../api/types';
import { useCanOperate } from '../../auth/current-user';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { Pagination } from '../../components/Pagination';
import { PanelHeader } from '../../components/PanelHeader';
import { HistoryEntry } from './HistoryEntry';
import { HistoryRollbackDialog } from './HistoryRollbackDialog';
import { useInstanceTab } from './instance-tab-context';
import { diffLeaves } from '../../../../domain/deployment-plan';
import { settingsOf as entrySettings } from '../../../../domain/rollout';

/** Rollouts looked up for the entries' inline status: enough for any page of history. */
const ROLLOUTS = { limit: 100, offset: 0 } as const;

const settingsOf = (deployment: Deployment) => ({ replicas: deployment.replicas, resourceProfileId: deployment.resourceProfileId, optimization: deployment.optimization });

/** Every change of the settings, newest first, with its rollout and a rollback to it. */
export function HistoryTab() {
  const { deployment, enabled } = useInstanceTab();
  const canOperate = useCanOperate();
  const [page, setPage] = useState({ limit: 25, offset: 0 });
  const history = useConfigHistory(deployment.id, page, enabled);
  const rollouts = useRollouts(deployment.id, ROLLOUTS, enabled);
  const [target, setTarget] = useState<ConfigHistoryEntry | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const current = settingsOf(deployment);
  const rolloutOf = (entry: ConfigHistoryEntry) => (entry.rolloutId ? rollouts.data?.items.find((rollout) => rollout.id === entry.rolloutId) : undefined);

  return (
    <section className="panel panel-flush" aria-labelledby="history-title">
      <PanelHeader titleId="history-title" title="History" description="Every change of the settings, newest first: who made it, its rollout, and what changed." />
      <div className="panel-section stack-tight">
        {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
        <ErrorBanner error={history.error} title="Could not load the history." />
        {history.isPending && <p className="muted">Loading the history…</p>}
        {history.data?.total === 0 && <p className="muted">No change recorded yet.</p>}
        {history.data && history.data.items.length > 0 && (
          <ol className="timeline" aria-label="Config history">
            {history.data.items.map((entry) => (
              <HistoryEntry
                key={entry.id}
                entry={entry}
                rollout={rolloutOf(entry)}
                // The settings, as a rollback restores and compares them (the preset they came from aside).
                current={diffLeaves(entrySettings(entry.after), current).length === 0}
                onRollback={canOperate && deployment.status !== 'deleting' ? () => setTarget(entry) : undefined}
              />
            ))}
          </ol>
        )}
      </div>
      {history.data && history.data.total > 0 && (
        <Pagination total={history.data.total} limit={page.limit} offset={page.offset} onChange={setPage} label="History pages" disabled={history.isFetching} />
      )}
      {canOperate && (
        <HistoryRollbackDialog
          deployment={deployment}
          entry={target}
          onClose={(done) => {
            setTarget(null);
            if (done) setNotice(done);
          }}
        />
      )}
    </section>
  );
}
