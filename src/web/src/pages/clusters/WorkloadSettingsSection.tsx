import type { Cluster, KubernetesWorkloadSettings } from '../../api/types';
import { Facts } from '../../components/Facts';
import { TitledPanel } from '../../components/TitledPanel';

const mono = (text: string) => <span className="mono">{text}</span>;

/** The model volume in words: a host path or a PersistentVolumeClaim, and where pods see it. */
function modelVolumeText(volume: KubernetesWorkloadSettings['modelVolume']): string {
  if (!volume) return 'none';
  if (volume.type === 'hostPath') return `host path ${volume.path}${volume.mountPath && volume.mountPath !== volume.path ? ` at ${volume.mountPath}` : ''}`;
  return `PersistentVolumeClaim ${volume.claimName} at ${volume.mountPath}`;
}

/**
 * How the Kubernetes driver runs workloads on a kubeconfig cluster (read-only; admins change it
 * under Edit): image overrides, registry mirror, pull secret and policy, mounts, model volume, and
 * how the gateway reaches the Services. Unset settings show the driver's default.
 */
export function WorkloadSettingsSection({ cluster }: { cluster: Cluster }) {
  const settings = cluster.connection.workloads ?? null;
  const images = Object.entries(settings?.images ?? {});
  const mounts = settings?.hostPathMounts ?? [];
  return (
    <TitledPanel title="Workload settings">
      <Facts
        label="Workload settings"
        facts={[
          ['Images', images.length === 0 ? 'official image of each runtime' : <ul className="fact-list">{images.map(([runtime, image]) => <li key={runtime}>{runtime}: {mono(image ?? '')}</li>)}</ul>],
          ['H-MAS image', settings?.selfImage ? mono(settings.selfImage) : 'default (embedded runtime)'],
          ['Registry mirror', settings?.registryMirror ? mono(settings.registryMirror) : 'none'],
          ['Pull secret', settings?.imagePullSecret ? mono(settings.imagePullSecret) : 'none'],
          ['Pull policy', settings?.imagePullPolicy ?? 'Kubernetes default'],
          ['Host path mounts', mounts.length === 0 ? 'none' : <ul className="fact-list">{mounts.map((mount) => <li key={mount.mountPath}>{mono(`${mount.hostPath} → ${mount.mountPath}`)}{mount.readOnly === false ? ' (read-write)' : ' (read-only)'}</li>)}</ul>],
          ['Model volume', modelVolumeText(settings?.modelVolume)],
          ['Gateway reaches', settings?.inCluster ? 'Services by ClusterIP (H-MAS runs in this cluster)' : `NodePorts on ${settings?.nodeAddress ?? 'the first ready node’s address'}`],
        ]}
      />
    </TitledPanel>
  );
}
