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
import { secondsText, shortReason } from '../connection-error.js';
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
function abortWith(signal: AbortSignal): ConfigurationOptions<ObservableMiddleware> {
  const middleware: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
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
    ready: (node.status?.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True'),
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
    containers: (pod.spec?.containers ?? []).map(containerFacts),
    initContainers: (pod.spec?.initContainers ?? []).map(containerFacts),
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
      const info = await versionApi.getCode({}, abortWith(signal));
      return { gitVersion: info.gitVersion, platform: info.platform };
    },
    async listNodes(signal) {
      const list = await coreApi.listNode({}, abortWith(signal));
      return list.items.map(nodeFacts);
    },
    async listPods(signal) {
      const list = await coreApi.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }, abortWith(signal));
      return list.items.map(podFacts);
    },
    async getKarmadaCluster(name, signal) {
      let object: unknown;
      try {
        object = await customApi.getClusterCustomObject({ group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters', name }, abortWith(signal));
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
      const cluster = (object ?? {}) as {
        metadata?: { name?: string };
        spec?: { syncMode?: string };
        status?: { kubernetesVersion?: string; conditions?: KarmadaClusterFacts['conditions']; nodeSummary?: KarmadaClusterFacts['nodeSummary']; resourceSummary?: KarmadaClusterFacts['resourceSummary'] };
      };
      return {
        name: cluster.metadata?.name ?? name,
        syncMode: cluster.spec?.syncMode,
        kubernetesVersion: cluster.status?.kubernetesVersion,
        conditions: Array.isArray(cluster.status?.conditions) ? cluster.status.conditions : [],
        nodeSummary: cluster.status?.nodeSummary,
        resourceSummary: cluster.status?.resourceSummary,
      };
    },
  };
}

const HTTP_REASONS: Record<number, string> = {
  401: 'the API server refused the credentials (HTTP 401 Unauthorized): the token or client certificate is wrong or expired',
  403: 'the credentials are not allowed to do this (HTTP 403 Forbidden)',
  404: 'the API server does not know this resource (HTTP 404)',
};

/** The `message` of a Kubernetes `Status` body (client-node hands the body over as text). */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const message = (parsed as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

/**
 * Why a call failed, in words for an operator: HTTP status, refused connection, timeout.
 * Never quotes request headers (they carry the token).
 */
export function describeKubeError(error: unknown, server: string, timeoutMs: number): string {
  if (error instanceof ApiException) {
    const said = statusMessage(error.body);
    const reason = HTTP_REASONS[error.code] ?? `the API server answered HTTP ${error.code}`;
    return said && error.code !== 401 ? `${reason}: ${shortReason(said, 200)}` : reason;
  }
  const { name, code, type } = (error ?? {}) as { name?: string; code?: string; type?: string };
  if (name === 'AbortError' || type === 'aborted') return `no answer from ${server} within ${secondsText(timeoutMs)}`;
  const errno = code ?? (error as { errno?: string } | undefined)?.errno;
  switch (errno) {
    case 'ECONNREFUSED':
      return `connection refused by ${server}: nothing listens there`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host of ${server} cannot be resolved (DNS)`;
    case 'ECONNRESET':
      return `${server} closed the connection`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${server} cannot be reached from H-MAS (no route)`;
    case 'ETIMEDOUT':
      return `connecting to ${server} timed out`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'CERT_HAS_EXPIRED':
      return `the TLS certificate of ${server} is not trusted (${errno}); add certificate-authority-data to the kubeconfig`;
    default:
      return `request to ${server} failed: ${shortReason(error, 200)}`;
  }
}
