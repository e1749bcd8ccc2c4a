import { useDeploymentLogs } from '../../api/deployment-hooks';
import { Icon } from '../../components/Icon';
import { PanelHeader } from '../../components/PanelHeader';
import { ClusterReadError } from './ClusterReadError';

const TAIL_LINES = 200;

/** The last lines of each replica's output, monospace; refreshed every 30 s and on demand. */
export function LogsPanel({ deploymentId, enabled = true }: { deploymentId: string; enabled?: boolean }) {
  const logs = useDeploymentLogs(deploymentId, TAIL_LINES, enabled);
  return (
    <section className="panel panel-flush" aria-labelledby="logs-title">
      <PanelHeader
        titleId="logs-title"
        title="Recent logs"
        description={`The last ${TAIL_LINES} lines of each replica.`}
        actions={
          <button type="button" className="btn btn-secondary btn-small" onClick={() => void logs.refetch()} disabled={logs.isFetching || !enabled}>
            <Icon name="refresh" size={16} />
            {logs.isFetching ? 'Refreshing…' : 'Refresh logs'}
          </button>
        }
      />
      <div className="panel-section stack-tight">
        <ClusterReadError error={logs.error} what="logs" />
        {logs.isPending && <p className="muted">Loading logs…</p>}
        {logs.data?.length === 0 && <p className="muted">No replica has written anything yet.</p>}
        {logs.data?.map((replica) => (
          <section key={replica.replica} className="replica-logs" aria-label={`Logs of ${replica.replica}`}>
            <h3 className="replica-logs-title mono">{replica.replica}</h3>
            {replica.lines.length === 0 ? (
              <p className="muted">No output yet.</p>
            ) : (
              <pre className="log-block" tabIndex={0}>
                {replica.lines.join('\n')}
              </pre>
            )}
          </section>
        ))}
      </div>
    </section>
  );
}
