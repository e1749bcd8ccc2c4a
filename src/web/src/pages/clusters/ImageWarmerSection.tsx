import type { useClusterWarmer } from '../../api/cluster-hooks';
import type { Cluster, ImageWarmerPhase, ImageWarmerStatus } from '../../api/types';
import { Badge, type BadgeTone } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Facts } from '../../components/Facts';
import { TitledPanel } from '../../components/TitledPanel';
import { formatDateTime } from '../../lib/format';

/** Badge text and colour per phase: green when every node has the images, red when the last sync failed. */
const PHASES: Record<ImageWarmerPhase, { label: string; tone: BadgeTone }> = {
  pending: { label: 'not checked yet', tone: 'neutral' },
  unsupported: { label: 'not used', tone: 'neutral' },
  off: { label: 'off', tone: 'neutral' },
  idle: { label: 'idle', tone: 'neutral' },
  warming: { label: 'warming', tone: 'warning' },
  ready: { label: 'ready', tone: 'ok' },
  noNodes: { label: 'no GPU nodes', tone: 'warning' },
  error: { label: 'error', tone: 'error' },
};

export type ClusterWarmerQuery = ReturnType<typeof useClusterWarmer>;

/**
 * The image warmer: a DaemonSet that keeps the runtimes' images pulled on every GPU node of a
 * Kubernetes cluster, as GET /api/clusters/:name/warmer reports it (polled every 15 s). The local
 * host runs replicas as processes and has no images to pull (phase `unsupported`). The query is
 * the page's (`useClusterWarmer`).
 */
export function ImageWarmerSection({ cluster, warmer }: { cluster: Cluster; warmer: ClusterWarmerQuery }) {
  return (
    <TitledPanel title="Image warmer">
      {warmer.isPending && (
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> Loading the warmer’s state…
        </p>
      )}
      {warmer.isError && <ErrorBanner error={warmer.error} title="Could not load the image warmer’s state." />}
      {warmer.data && <WarmerState cluster={cluster} status={warmer.data} />}
    </TitledPanel>
  );
}

function WarmerState({ cluster, status }: { cluster: Cluster; status: ImageWarmerStatus }) {
  const phase = PHASES[status.phase];
  if (status.phase === 'unsupported') {
    const why = cluster.connection.kind === 'local' ? 'Not used here: replicas on the local host are processes, there are no images to pull.' : status.message;
    return (
      <>
        <Facts label="Image warmer" facts={[['State', <Badge tone={phase.tone}>{phase.label}</Badge>]]} />
        <p className="muted">{why}</p>
      </>
    );
  }
  const { nodes } = status;
  const hasDaemonSet = status.daemonSet !== null;
  return (
    <>
      <Facts
        label="Image warmer"
        facts={[
          ['State', <Badge tone={phase.tone}>{phase.label}</Badge>],
          ['Pre-caching', status.enabled ? 'on' : 'off'],
          hasDaemonSet && ['DaemonSet', <span className="mono">{`${status.namespace ?? ''}/${status.daemonSet}`}</span>],
          hasDaemonSet && ['GPU nodes', `${nodes.ready} of ${nodes.desired} ready, ${nodes.updated} up to date`],
          ['Last sync', formatDateTime(status.lastSyncAt, 'never')],
          status.lastChangeAt !== null && ['Last change', formatDateTime(status.lastChangeAt)],
        ]}
      />
      <p className="readiness-message">{status.message}</p>
      {status.lastError && status.phase !== 'error' && <p className="readiness-message">Last error: {status.lastError}</p>}
      {status.images.length > 0 && (
        <ul className="warmer-images" aria-label="Warmed images">
          {status.images.map((entry) => (
            <li key={entry.image}>
              <span className="mono">{entry.image}</span>
              <span className="muted"> — {entry.runtimes.join(', ')}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
