import { UnexpectedAnswerError } from '../connection-error.js';
import type { KubeDaemonSet } from './kube-objects.js';
import type { KubeWorkloadClient } from './kube-workload-client.js';
import { IMAGE_WARMER_HASH_ANNOTATION } from './image-warmer-manifest.js';
import type { DaemonSetApi, DaemonSetFacts } from './image-warmer.js';

const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** What the warmer reads of a DaemonSet. Pure. */
export function daemonSetFacts(object: KubeDaemonSet, namespace: string): DaemonSetFacts {
  const { metadata, status } = object;
  return {
    namespace: metadata.namespace ?? namespace,
    name: metadata.name,
    managedByHmas: metadata.labels?.['app.kubernetes.io/managed-by'] === 'hmas',
    deleting: Boolean(metadata.deletionTimestamp),
    hash: metadata.annotations?.[IMAGE_WARMER_HASH_ANNOTATION],
    generation: count(metadata.generation),
    observedGeneration: count(status?.observedGeneration),
    desired: count(status?.desiredNumberScheduled),
    ready: count(status?.numberReady),
    updated: count(status?.updatedNumberScheduled),
  };
}

/** The warmer's DaemonSet calls, made with the Kubernetes driver's workload client. */
export function daemonSetApiOf(client: KubeWorkloadClient): DaemonSetApi {
  const read = async (namespace: string, name: string) => {
    const object = await client.readDaemonSet(namespace, name);
    return object ? daemonSetFacts(object, namespace) : undefined;
  };
  return {
    ensureNamespace: (namespace) => client.ensureNamespace(namespace),
    readDaemonSet: read,
    async applyDaemonSet(manifest) {
      const { namespace, name } = manifest.metadata;
      await client.applyObject(manifest);
      const applied = await read(namespace, name);
      if (!applied) throw new UnexpectedAnswerError(`DaemonSet ${name} in ${namespace} is gone right after it was written`);
      return applied;
    },
    // In the background: the object goes at once and the garbage collector takes its pods.
    deleteDaemonSet: (namespace, name) => client.deleteObject('daemonsets', namespace, name, 'Background'),
  };
}
