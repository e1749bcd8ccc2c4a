import type { Cluster } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Facts } from '../../components/Facts';
import { LabelChips } from '../../components/LabelChips';
import { TitledPanel } from '../../components/TitledPanel';
import { formatDateTime } from '../../lib/format';
import { connectionKindLabel, TYPE_NAMES } from './cluster-format';
import { ReadinessBadge } from './ReadinessBadge';

/** Summary, connection (never a secret: the API returns none) and readiness. */
export function ClusterFacts({ cluster }: { cluster: Cluster }) {
  const { connection, readiness } = cluster;
  return (
    <div className="panel-grid">
      <TitledPanel title="Summary">
        <Facts
          facts={[
            ['Name', <span className="mono">{cluster.name}</span>],
            ['Type', `${cluster.type} — ${TYPE_NAMES[cluster.type]}`],
            ['Scheduler', cluster.scheduler === 'koordinator' ? 'Koordinator' : 'Kubernetes default'],
            ['Image pre-cache', cluster.imagePrecache ? 'on' : 'off'],
            ['Labels', <LabelChips labels={cluster.labels} />],
            ['Registered', formatDateTime(cluster.createdAt)],
          ]}
        />
      </TitledPanel>
      <TitledPanel title="Connection">
        <Facts
          facts={[
            ['Kind', connectionKindLabel(connection.kind)],
            // The one instance that runs this host's replicas; the others leave them to it.
            connection.kind === 'local' && ['Owner host', cluster.ownerHost ? <span className="mono" title={`H-MAS instance ${cluster.ownerHost.id}`}>{cluster.ownerHost.hostname}</span> : 'none yet'],
            connection.server !== null && ['API server', <span className="mono">{connection.server}</span>],
            connection.context !== null && ['Context', connection.context],
            connection.namespace !== null && ['Namespace', connection.namespace],
            connection.memberCluster !== null && ['Member cluster', connection.memberCluster],
            connection.server !== null && [
              'TLS verification',
              connection.insecureSkipTlsVerify ? <Badge tone="warning" title="The kubeconfig sets insecure-skip-tls-verify">off</Badge> : 'on',
            ],
            ['Credentials', connection.hasCredentials ? 'stored, encrypted' : 'none'],
          ]}
        />
      </TitledPanel>
      <TitledPanel title="Readiness">
        <Facts
          facts={[
            ['State', <ReadinessBadge readiness={readiness} />],
            ['Checked', formatDateTime(readiness.lastCheckedAt, 'never')],
          ]}
        />
        <p className="readiness-message">{readiness.message}</p>
      </TitledPanel>
    </div>
  );
}
