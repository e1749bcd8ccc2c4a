import { useSystemLoops } from '../../api/system-hooks';
import type { LoopsView } from '../../api/types';
import { useIsAdmin } from '../../auth/current-user';
import { Badge } from '../../components/Badge';
import { DataTable } from '../../components/DataTable';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Facts } from '../../components/Facts';
import { PanelHeader } from '../../components/PanelHeader';
import { TitledPanel } from '../../components/TitledPanel';
import { formatDateTimeSeconds, formatRelativeTime } from '../../lib/format';
import { useDocumentTitle } from '../../lib/use-document-title';
import { lastRunFailed, systemLoopColumns } from './system-loop-columns';

const ELECTION: Record<LoopsView['leader']['election'], string> = {
  embedded: 'Embedded database: the only instance, always the leader',
  'advisory-lock': 'Elected among the instances sharing PostgreSQL (advisory lock)',
};

/** Admins: the instance that answered — whether it leads — and its background loops, polled every 15 s. */
export function SystemTab() {
  useDocumentTitle('System', 'Settings');
  const isAdmin = useIsAdmin();
  const view = useSystemLoops(isAdmin);
  if (!isAdmin) {
    return (
      <TitledPanel title="System">
        <p className="muted">Only admins can see this instance’s background loops.</p>
      </TitledPanel>
    );
  }
  const data = view.data;
  const now = view.dataUpdatedAt;
  const failing = data?.loops.filter(lastRunFailed).length ?? 0;
  return (
    <div className="stack">
      <TitledPanel title="This instance">
        {view.isError && <ErrorBanner error={view.error} title="Could not load the instance’s loops." />}
        <Facts
          label="Leadership"
          facts={[
            ['Role', data ? data.leader.isLeader ? <Badge tone="brand">Leader</Badge> : <Badge>Follower</Badge> : '…'],
            ['Election', data ? ELECTION[data.leader.election] : null],
            ['Leader since', data?.leader.since ? `${formatDateTimeSeconds(data.leader.since)} (${formatRelativeTime(data.leader.since, now)})` : null],
            ['Loops', data ? `${data.loops.filter((loop) => loop.runningHere).length} of ${data.loops.length} running here${failing > 0 ? `, ${failing} failing` : ''}` : null],
          ]}
        />
      </TitledPanel>
      <section className="panel panel-flush" aria-labelledby="system-loops-title">
        <PanelHeader
          titleId="system-loops-title"
          title="Background loops"
          description="Runs and errors since this instance started; leader-only loops run on the leader alone. Refreshed every 15 seconds."
        />
        <DataTable
          caption="Background loops"
          dense
          columns={systemLoopColumns(now)}
          rows={data?.loops}
          rowKey={(loop) => loop.name}
          loading={view.isPending}
          empty="No loops."
          rowClassName={(loop) => (lastRunFailed(loop) ? 'row-warning' : undefined)}
        />
      </section>
    </div>
  );
}
