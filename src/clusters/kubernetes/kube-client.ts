import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  Observable,
  VersionApi,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
  type V1Container,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { UnexpectedAnswerError } from '../connection-error.js';
import type { NodeFacts, PodFacts } from './kube-inventory.js';
import { toKubeConfig, type ParsedKubeconfig } from './kubeconfig.js';

/** The few API calls H-MAS makes so far; grows into the Kubernetes ClusterDriver. */
export interface KubeClient {
  readonly server: string;
  version(signal: AbortSignal): Promise<{ gitVersion: string; platform: string | undefined }>;
  listNodes(signal: AbortSignal): Promise<NodeFacts[]>;
  listPods(signal: AbortSignal): Promise<PodFacts[]>;
  /** A Karmada member cluster object; undefined when Karmada has no such member. */
  getKarmadaCluster(name: string, signal: AbortSignal): Promise<KarmadaClusterFacts | undefined>;
}

export interface KarmadaClusterFacts {
  name: string;
  syncMode: string | undefined;
  kubernetesVersion: string | undefined;
  conditions: Array<{ type: string; status: string; reason?: string; message?: string }>;
  nodeSummary: { totalNum?: number; readyNum?: number } | undefined;
  resourceSummary: { allocatable?: Record<string, string>; allocated?: Record<string, string>; allocating?: Record<string, string> } | undefined;
}

/** Makes each call give up when `signal` aborts (the connection test's deadline). */
export function abortWith(signal: AbortSignal): ConfigurationOptions<ObservableMiddleware> {
  const middleware: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const arrayOf = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** The items of a list answer; a server that is not the Kubernetes API answers something else. */
function itemsOf<T>(list: { items?: T[] } | null | undefined, what: string): T[] {
  if (!isObject(list) || !Array.isArray(list.items)) throw new UnexpectedAnswerError(`its answer to ${what} is not a list of items`);
  return list.items.filter(isObject);
}

const asStrings = (value: unknown): Record<string, string> => {
  const result: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return result;
  for (const [key, entry] of Object.entries(value)) if (entry !== undefined && entry !== null) result[key] = String(entry);
  return result;
};

function nodeFacts(node: V1Node): NodeFacts {
  return {
    name: node.metadata?.name ?? '(unnamed)',
    labels: asStrings(node.metadata?.labels),
    capacity: asStrings(node.status?.capacity),
    allocatable: asStrings(node.status?.allocatable),
    ready: arrayOf(node.status?.conditions).some((condition) => condition.type === 'Ready' && condition.status === 'True'),
  };
}

const containerFacts = (container: V1Container) => ({
  requests: asStrings(container.resources?.requests),
  limits: asStrings(container.resources?.limits),
  ...(container.restartPolicy ? { restartPolicy: container.restartPolicy } : {}),
});

function podFacts(pod: V1Pod): PodFacts {
  return {
    nodeName: pod.spec?.nodeName,
    phase: pod.status?.phase,
    containers: arrayOf(pod.spec?.containers).map(containerFacts),
    initContainers: arrayOf(pod.spec?.initContainers).map(containerFacts),
  };
}

/** A client for the kubeconfig's chosen context. Only this folder imports client-node. */
export function createKubeClient(kubeconfig: ParsedKubeconfig): KubeClient {
  const config = toKubeConfig(kubeconfig);
  const versionApi = config.makeApiClient(VersionApi);
  const coreApi = config.makeApiClient(CoreV1Api);
  const customApi = config.makeApiClient(CustomObjectsApi);
  return {
    server: kubeconfig.server,
    async version(signal) {
      const info: unknown = await versionApi.getCode({}, abortWith(signal));
      if (!isObject(info) || typeof info.gitVersion !== 'string') throw new UnexpectedAnswerError('its answer to GET /version has no gitVersion');
      return { gitVersion: info.gitVersion, platform: typeof info.platform === 'string' ? info.platform : undefined };
    },
    async listNodes(signal) {
      return itemsOf(await coreApi.listNode({}, abortWith(signal)), 'GET /api/v1/nodes').map(nodeFacts);
    },
    async listPods(signal) {
      const list = await coreApi.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }, abortWith(signal));
      return itemsOf(list, 'GET /api/v1/pods').map(podFacts);
    },
    async getKarmadaCluster(name, signal) {
      let object: unknown;
      try {
        object = await customApi.getClusterCustomObject({ group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters', name }, abortWith(signal));
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
      if (!isObject(object) || object.kind !== 'Cluster') throw new UnexpectedAnswerError(`its answer to GET ${name}'s cluster.karmada.io Cluster is not a Cluster object`);
      const cluster = object as {
        metadata?: { name?: string };
        spec?: { syncMode?: string };
        status?: { kubernetesVersion?: string; conditions?: KarmadaClusterFacts['conditions']; nodeSummary?: KarmadaClusterFacts['nodeSummary']; resourceSummary?: KarmadaClusterFacts['resourceSummary'] };
      };
      return {
        name: cluster.metadata?.name ?? name,
        syncMode: cluster.spec?.syncMode,
        kubernetesVersion: cluster.status?.kubernetesVersion,
        conditions: arrayOf(cluster.status?.conditions),
        nodeSummary: isObject(cluster.status?.nodeSummary) ? cluster.status.nodeSummary : undefined,
        resourceSummary: isObject(cluster.status?.resourceSummary) ? cluster.status.resourceSummary : undefined,
      };
    },
  };
}
