import type { Cluster } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Facts } from '../../components/Facts';
import { LabelChips } from '../../components/LabelChips';
import { formatDateTime } from '../../lib/format';
import { connectionKindLabel, TYPE_NAMES } from './cluster-format';
import { ReadinessBadge } from './ReadinessBadge';

/** Summary, connection (never a secret: the API returns none) and readiness. */
export function ClusterFacts({ cluster }: { cluster: Cluster }) {
  const { connection, readiness } = cluster;
  return (
    <div className="panel-grid">
      <section className="panel" aria-labelledby="cluster-summary">
        <h2 id="cluster-summary" className="panel-title">
          Summary
        </h2>
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
      </section>
      <section className="panel" aria-labelledby="cluster-connection">
        <h2 id="cluster-connection" className="panel-title">
          Connection
        </h2>
        <Facts
          facts={[
            ['Kind', connectionKindLabel(connection.kind)],
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
      </section>
      <section className="panel" aria-labelledby="cluster-readiness">
        <h2 id="cluster-readiness" className="panel-title">
          Readiness
        </h2>
        <Facts
          facts={[
            ['State', <ReadinessBadge readiness={readiness} />],
            ['Checked', formatDateTime(readiness.lastCheckedAt, 'never')],
          ]}
        />
        <p className="readiness-message">{readiness.message}</p>
      </section>
    </div>
  );
}
