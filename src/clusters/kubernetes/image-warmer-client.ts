import { ApiException, AppsV1Api, CoreV1Api, type V1DaemonSet } from '@kubernetes/client-node';
import { UnexpectedAnswerError } from '../connection-error.js';
import { abortWith } from './kube-client.js';
import { toKubeConfig, type ParsedKubeconfig } from './kubeconfig.js';
import { IMAGE_WARMER_HASH_ANNOTATION, type DaemonSetManifest } from './image-warmer-manifest.js';
import type { DaemonSetApi, DaemonSetFacts } from './image-warmer.js';

const isApiError = (error: unknown, code: number) => error instanceof ApiException && error.code === code;
const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** What the warmer reads of a DaemonSet; an answer without a name is not one. */
export function daemonSetFacts(object: V1DaemonSet | null | undefined): DaemonSetFacts {
  const metadata = object?.metadata;
  if (typeof metadata?.name !== 'string' || typeof metadata.namespace !== 'string') throw new UnexpectedAnswerError('its answer about a DaemonSet is not a DaemonSet');
  return {
    namespace: metadata.namespace,
    name: metadata.name,
    resourceVersion: metadata.resourceVersion ?? '',
    managedByHmas: metadata.labels?.['app.kubernetes.io/managed-by'] === 'hmas',
    hash: metadata.annotations?.[IMAGE_WARMER_HASH_ANNOTATION],
    generation: count(metadata.generation),
    observedGeneration: count(object?.status?.observedGeneration),
    desired: count(object?.status?.desiredNumberScheduled),
    ready: count(object?.status?.numberReady),
    updated: count(object?.status?.updatedNumberScheduled),
  };
}

/** The DaemonSet calls of the image warmer on the kubeconfig's cluster. */
export function createDaemonSetApi(kubeconfig: ParsedKubeconfig): DaemonSetApi {
  const config = toKubeConfig(kubeconfig);
  const apps = config.makeApiClient(AppsV1Api);
  const core = config.makeApiClient(CoreV1Api);
  const asDaemonSet = (manifest: DaemonSetManifest): V1DaemonSet => manifest;
  return {
    async ensureNamespace(namespace, signal) {
      try {
        await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'app.kubernetes.io/managed-by': 'hmas' } } } }, abortWith(signal));
      } catch (error) {
        // 409: it exists. 403: the credentials are for one namespace, which then has to exist
        // already; creating the DaemonSet says so if it does not.
        if (isApiError(error, 409) || isApiError(error, 403)) return;
        throw error;
      }
    },
    async readDaemonSet(namespace, name, signal) {
      try {
        return daemonSetFacts(await apps.readNamespacedDaemonSet({ name, namespace }, abortWith(signal)));
      } catch (error) {
        if (isApiError(error, 404)) return undefined;
        throw error;
      }
    },
    async createDaemonSet(manifest, signal) {
      return daemonSetFacts(await apps.createNamespacedDaemonSet({ namespace: manifest.metadata.namespace, body: asDaemonSet(manifest) }, abortWith(signal)));
    },
    async replaceDaemonSet(manifest, signal) {
      const { name, namespace } = manifest.metadata;
      return daemonSetFacts(await apps.replaceNamespacedDaemonSet({ name, namespace, body: asDaemonSet(manifest) }, abortWith(signal)));
    },
    async deleteDaemonSet(namespace, name, signal) {
      try {
        await apps.deleteNamespacedDaemonSet({ name, namespace, propagationPolicy: 'Background' }, abortWith(signal));
        return true;
      } catch (error) {
        if (isApiError(error, 404)) return false;
        throw error;
      }
    },
  };
}
