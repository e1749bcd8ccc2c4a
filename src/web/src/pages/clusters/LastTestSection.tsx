import type { Cluster } from '../../api/types';
import { Badge } from '../../components/Badge';
import { TitledPanel } from '../../components/TitledPanel';
import { formatDateTime } from '../../lib/format';
import { ConnectionChecks } from './ConnectionChecks';

/** The last connection test (kept until the connection changes). */
export function LastTestSection({ cluster }: { cluster: Cluster }) {
  const test = cluster.lastTest;
  return (
    <TitledPanel title="Last test">
      {test ? (
        <div className="stack-tight">
          <p>
            <Badge tone={test.ok ? 'ok' : 'error'}>{test.ok ? 'passed' : 'failed'}</Badge> <span className="muted">{formatDateTime(test.checkedAt)}</span>
          </p>
          <p>{test.message}</p>
          <ConnectionChecks checks={test.checks} />
        </div>
      ) : (
        <p className="muted">Not tested since it was registered or its connection changed.</p>
      )}
    </TitledPanel>
  );
}
