import { Writable } from 'node:stream';
import { ApiException, AppsV1Api, CoreV1Api, Log, PatchStrategy, setHeaderOptions, Watch, type KubeConfig } from '@kubernetes/client-node';
import { UnexpectedAnswerError } from '../connection-error.js';
import { ClusterForbiddenError, describeKubeError, type KubeAction } from './kube-error.js';
import type { KubeDaemonSet, KubeDeployment, KubeEvent, KubePod, KubeReplicaSet, KubeService } from './kube-objects.js';
import { toKubeConfig, type ParsedKubeconfig } from './kubeconfig.js';
import type { ListWatchSource, WatchEvent } from './list-watch.js';
/** What `applyObject` takes: a Deployment, Service, Secret or DaemonSet manifest with its namespace. */
export interface ApplicableObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** The object kinds the driver watches, by their API path segment. */
export interface WatchedKinds {
  deployments: KubeDeployment;
  replicasets: KubeReplicaSet;
  pods: KubePod;
  services: KubeService;
  events: KubeEvent;
}
export type WatchedKind = keyof WatchedKinds;

/** The calls the Kubernetes driver makes. Every answer's shape is checked before use. */
export interface KubeWorkloadClient {
  readonly server: string;
  ensureNamespace(namespace: string): Promise<void>;
  /** Creates the object, or replaces it (keeping what the cluster assigned: a Service's IP and node port). */
  applyObject(manifest: ApplicableObject): Promise<void>;
  /** A Secret's data, decoded; undefined when it does not exist. */
  readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** Merge-patches a Deployment's replicas and annotations (null removes one); false when it does not exist. */
  scaleDeployment(namespace: string, name: string, replicas: number, annotations: Record<string, string | null>): Promise<boolean>;
  /** A DaemonSet (the image warmer's); undefined when it does not exist. */
  readDaemonSet(namespace: string, name: string): Promise<KubeDaemonSet | undefined>;
  /** Deletes (foreground propagation unless told otherwise); false when it did not exist. */
  /** Deletes one object; `propagation` defaults to Foreground for Deployments and DaemonSets, Background otherwise. */
  deleteObject(kind: AppliedKind, namespace: string, name: string, propagation?: 'Foreground' | 'Background'): Promise<boolean>;
  listWatch<K extends WatchedKind>(kind: K, namespace: string, labelSelector?: string): ListWatchSource<WatchedKinds[K]>;
  podLog(namespace: string, pod: string, container: string, options: { tailLines?: number; previous?: boolean }): Promise<string>;
  /** Streams a pod's log into `onData` until the stream or `signal` ends. */
  followPodLog(namespace: string, pod: string, container: string, options: { tailLines?: number }, onData: (chunk: string) => void, signal: AbortSignal): Promise<void>;
  /** InternalIP of the first Ready node (where NodePorts answer). */
  nodeAddress(): Promise<string | undefined>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const hasName = (value: unknown): value is { metadata: { name: string } } => isObject(value) && isObject(value.metadata) && typeof value.metadata.name === 'string';

function checkedList<T>(answer: unknown, what: string): { items: T[]; resourceVersion: string } {
  if (!isObject(answer) || !Array.isArray(answer.items)) throw new UnexpectedAnswerError(`its answer to ${what} is not a list of items`);
  const metadata = isObject(answer.metadata) ? answer.metadata : {};
  // The client turns timestamps into Date objects; watch events carry the API's JSON: keep one form.
  const items = (JSON.parse(JSON.stringify(answer.items)) as unknown[]).filter(hasName) as T[];
  return { items, resourceVersion: typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : '' };
}

const API_PATHS: Record<WatchedKind, string> = { deployments: '/apis/apps/v1', replicasets: '/apis/apps/v1', pods: '/api/v1', services: '/api/v1', events: '/api/v1' };
/** The kinds `applyObject` writes, by their API path segment. */
export type AppliedKind = 'deployments' | 'services' | 'secrets' | 'daemonsets';

const RESOURCE_NAMES: Record<WatchedKind | AppliedKind | 'namespaces', string> = {
  deployments: 'deployments.apps',
  replicasets: 'replicasets.apps',
  pods: 'pods',
  services: 'services',
  events: 'events',
  secrets: 'secrets',
  daemonsets: 'daemonsets.apps',
  namespaces: 'namespaces',
};
const MANIFEST_KINDS: Record<string, AppliedKind> = { Deployment: 'deployments', Service: 'services', Secret: 'secrets', DaemonSet: 'daemonsets' };

export function createKubeWorkloadClient(kubeconfig: ParsedKubeconfig, options: { timeoutMs?: number; config?: KubeConfig } = {}): KubeWorkloadClient {
  const config = options.config ?? toKubeConfig(kubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  const apps = config.makeApiClient(AppsV1Api);
  const watcher = new Watch(config);
  const logs = new Log(config);
  const timeoutMs = options.timeoutMs ?? 10_000;

  /** Runs a call; 403 names the permission, 404 answers `notFound`, other failures are described in words. */
  async function call<T>(action: KubeAction, run: () => Promise<T>, notFound?: () => T): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const code = error instanceof ApiException ? error.code : undefined;
      if (code === 403) throw new ClusterForbiddenError(action);
      if (code === 404 && notFound) return notFound();
      throw new Error(`Kubernetes ${action.verb} ${action.resource}${action.namespace ? ` in ${action.namespace}` : ''} failed: ${describeKubeError(error, kubeconfig.server, timeoutMs)}.`, { cause: error });
    }
  }

  async function applyOnce(manifest: ApplicableObject): Promise<void> {
    const kind = MANIFEST_KINDS[String(manifest.kind)];
    if (!kind) throw new Error(`H-MAS does not apply ${String(manifest.kind)} objects.`);
    const { namespace, name } = manifest.metadata;
    if (!namespace) throw new Error(`The ${String(manifest.kind)} ${name} has no namespace.`);
    const existing = await readExisting(kind, namespace, name);
    const body = structuredClone(manifest) as ApplicableObject & { spec?: Record<string, unknown> };
    if (existing === undefined) {
      const action: KubeAction = { verb: 'create', resource: RESOURCE_NAMES[kind], namespace };
      // Casts at the client's edge: the manifests are built (and tested) to the API's shape.
      await call<unknown>(action, () => {
        switch (kind) {
          case 'deployments':
            return apps.createNamespacedDeployment({ namespace, body: body as never });
          case 'services':
            return core.createNamespacedService({ namespace, body: body as never });
          case 'secrets':
            return core.createNamespacedSecret({ namespace, body: body as never });
          case 'daemonsets':
            return apps.createNamespacedDaemonSet({ namespace, body: body as never });
        }
      });
      return;
    }
    const meta = existing.metadata as { resourceVersion?: string };
    body.metadata = { ...body.metadata, ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}) };
    if (kind === 'services' && isObject(existing.spec) && body.spec) {
      // The cluster assigned the IP and node ports: keep them.
      const old = existing.spec as { clusterIP?: string; ports?: Array<{ name?: string; nodePort?: number }> };
      if (old.clusterIP) body.spec.clusterIP = old.clusterIP;
      const ports = body.spec.ports as Array<{ name?: string; nodePort?: number }>;
      if (body.spec.type === 'NodePort') for (const port of ports) port.nodePort = old.ports?.find((entry) => entry.name === port.name)?.nodePort;
    }
    const action: KubeAction = { verb: 'update', resource: RESOURCE_NAMES[kind], namespace };
    await call<unknown>(action, () => {
      switch (kind) {
        case 'deployments':
          return apps.replaceNamespacedDeployment({ name, namespace, body: body as never });
        case 'services':
          return core.replaceNamespacedService({ name, namespace, body: body as never });
        case 'secrets':
          return core.replaceNamespacedSecret({ name, namespace, body: body as never });
        case 'daemonsets':
          return apps.replaceNamespacedDaemonSet({ name, namespace, body: body as never });
      }
    });
  }

  async function readExisting(kind: AppliedKind, namespace: string, name: string): Promise<Record<string, unknown> | undefined> {
    const action: KubeAction = { verb: 'get', resource: RESOURCE_NAMES[kind], namespace };
    const answer = await call<unknown>(
      action,
      () => {
        switch (kind) {
          case 'deployments':
            return apps.readNamespacedDeployment({ name, namespace });
          case 'services':
            return core.readNamespacedService({ name, namespace });
          case 'secrets':
            return core.readNamespacedSecret({ name, namespace });
          case 'daemonsets':
            return apps.readNamespacedDaemonSet({ name, namespace });
        }
      },
      () => undefined,
    );
    if (answer === undefined) return undefined;
    if (!hasName(answer)) throw new UnexpectedAnswerError(`its answer to GET ${kind}/${name} is not an object`);
    return answer as Record<string, unknown>;
  }

  return {
    server: kubeconfig.server,
    async ensureNamespace(namespace) {
      let found: unknown;
      try {
        found = await call({ verb: 'get', resource: 'namespaces' }, () => core.readNamespace({ name: namespace }), () => undefined);
      } catch (error) {
        // A user whose rights end at the namespace (a Role, not a ClusterRole) cannot read Namespace
        // objects: whoever granted them made the namespace, and the calls in it say if not.
        if (error instanceof ClusterForbiddenError) return;
        throw error;
      }
      if (found !== undefined) return;
      await call({ verb: 'create', resource: 'namespaces' }, async () => {
        try {
          await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'app.kubernetes.io/managed-by': 'hmas' } } } });
        } catch (error) {
          if (!(error instanceof ApiException && error.code === 409)) throw error;
        }
      });
    },
    async applyObject(manifest) {
      // Read-then-replace carries the object's resourceVersion: a controller writing the status in
      // between (or another apply creating it first) answers 409 Conflict — read again and retry.
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await applyOnce(manifest);
        } catch (error) {
          const conflict = error instanceof Error && error.cause instanceof ApiException && error.cause.code === 409;
          if (!conflict || attempt >= 5) throw error;
        }
      }
    },    async readSecret(namespace, name) {
      const secret = await readExisting('secrets', namespace, name);
      if (!secret) return undefined;
      const data = isObject(secret.data) ? secret.data : {};
      return Object.fromEntries(Object.entries(data).flatMap(([key, value]) => (typeof value === 'string' ? [[key, Buffer.from(value, 'base64').toString('utf8')]] : [])));
    },
    async readDaemonSet(namespace, name) {
      return (await readExisting('daemonsets', namespace, name)) as KubeDaemonSet | undefined;
    },
    async scaleDeployment(namespace, name, replicas, annotations) {
      const action: KubeAction = { verb: 'patch', resource: 'deployments.apps', namespace };
      return call(
        action,
        async () => {
          await apps.patchNamespacedDeployment({ name, namespace, body: { metadata: { annotations }, spec: { replicas } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
          return true;
        },
        () => false,
      );
    },
    async deleteObject(kind, namespace, name, propagation) {
      const action: KubeAction = { verb: 'delete', resource: RESOURCE_NAMES[kind], namespace };
      // Workloads go once their pods are gone (foreground); a Service or Secret owns nothing, and a
      // foreground delete would leave it in place until the garbage collector gets to it.
      const body = { propagationPolicy: propagation ?? (kind === 'deployments' || kind === 'daemonsets' ? 'Foreground' : 'Background') };
      return call(
        action,
        async () => {
          if (kind === 'deployments') await apps.deleteNamespacedDeployment({ name, namespace, body });
          else if (kind === 'services') await core.deleteNamespacedService({ name, namespace, body });
          else if (kind === 'daemonsets') await apps.deleteNamespacedDaemonSet({ name, namespace, body });
          else await core.deleteNamespacedSecret({ name, namespace, body });
          return true;
        },
        () => false,
      );
    },
    listWatch(kind, namespace, labelSelector) {
      const path = `${API_PATHS[kind]}/namespaces/${namespace}/${kind}`;
      const selector = labelSelector ? { labelSelector } : {};
      return {
        list: () =>
          call({ verb: 'list', resource: RESOURCE_NAMES[kind], namespace }, async () => {
            const answer: unknown =
              kind === 'deployments'
                ? await apps.listNamespacedDeployment({ namespace, ...selector })
                : kind === 'replicasets'
                  ? await apps.listNamespacedReplicaSet({ namespace, ...selector })
                  : kind === 'pods'
                    ? await core.listNamespacedPod({ namespace, ...selector })
                    : kind === 'services'
                      ? await core.listNamespacedService({ namespace, ...selector })
                      : await core.listNamespacedEvent({ namespace, ...selector });
            return checkedList(answer, `GET ${path}`);
          }),
        async watch(resourceVersion, onEvent, done) {
          const controller = await watcher.watch(
            path,
            { resourceVersion, allowWatchBookmarks: true, ...selector },
            (type: string, object: unknown) => {
              if (type === 'ERROR' || hasName(object)) onEvent({ type, object } as WatchEvent<never>);
            },
            done,
          );
          return { abort: () => controller.abort() };
        },
      };
    },
    async podLog(namespace, pod, container, options) {
      const answer: unknown = await call(
        { verb: 'get', resource: 'pods/log', namespace },
        () => core.readNamespacedPodLog({ name: pod, namespace, container, ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}), ...(options.previous ? { previous: true } : {}) }),
        () => '',
      );
      return typeof answer === 'string' ? answer : '';
    },
    async followPodLog(namespace, pod, container, options, onData, signal) {
      await new Promise<void>((resolve, reject) => {
        const stream = new Writable({
          write(chunk: Buffer | string, _encoding, callback) {
            onData(chunk.toString());
            callback();
          },
        });
        stream.on('finish', () => resolve());
        call({ verb: 'get', resource: 'pods/log', namespace }, () => logs.log(namespace, pod, container, stream, { follow: true, ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}) }))
          .then((controller) => {
            if (signal.aborted) controller.abort();
            signal.addEventListener('abort', () => {
              controller.abort();
              resolve();
            });
          })
          .catch(reject);
      });
    },
    async nodeAddress() {
      const answer: unknown = await call({ verb: 'list', resource: 'nodes' }, () => core.listNode({}));
      const { items } = checkedList<{ status?: { addresses?: Array<{ type?: string; address?: string }>; conditions?: Array<{ type?: string; status?: string }> } }>(answer, 'GET /api/v1/nodes');
      const ready = items.filter((node) => node.status?.conditions?.some((entry) => entry.type === 'Ready' && entry.status === 'True'));
      return ready.flatMap((node) => node.status?.addresses ?? []).find((address) => address.type === 'InternalIP')?.address;
    },
  };
}
