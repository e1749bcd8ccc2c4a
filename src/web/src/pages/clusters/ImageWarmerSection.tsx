import type { Cluster } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Facts } from '../../components/Facts';
import { TitledPanel } from '../../components/TitledPanel';

/**
 * The image warmer: a DaemonSet that keeps the runtimes' images pulled on every GPU node of a
 * Kubernetes cluster. The API does not report its state yet, so the page says so rather than
 * guess; the local host runs replicas as processes and has no images to pull.
 */
export function ImageWarmerSection({ cluster }: { cluster: Cluster }) {
  if (cluster.connection.kind === 'local') {
    return (
      <TitledPanel title="Image warmer">
        <p className="muted">Not used here: replicas on the local host are processes, there are no images to pull.</p>
      </TitledPanel>
    );
  }
  return (
    <TitledPanel title="Image warmer">
      <Facts
        label="Image warmer"
        facts={[
          ['Pre-caching', cluster.imagePrecache ? 'on' : 'off'],
          ['State', cluster.imagePrecache ? <Badge tone="neutral" title="No state has been reported for this cluster's image warmer.">not reported</Badge> : 'off for this cluster'],
        ]}
      />
      <p className="muted">
        {cluster.imagePrecache
          ? 'Keeps the images of the runtimes in use pulled on every GPU node, so a new replica starts without a pull. Its state (nodes warmed, images) shows here once the cluster reports it.'
          : 'Turned off: new replicas pull their runtime image when they start. Turn it on under Edit.'}
      </p>
    </TitledPanel>
  );
}
