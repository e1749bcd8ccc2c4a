import { connect } from 'node:net';
import { labelKeyProblem, labelValueProblem, type ClusterScheduler, type ClusterType, type KubernetesWorkloadSettings } from '../../domain/cluster.js';
import { workloadSpecHash, workloadSpecSchema, type LogLine, type ReplicaLogs, type WorkloadEndpoint, type WorkloadEvent, type WorkloadSpec, type WorkloadStatus } from '../../domain/workload.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { ApplyResult, ClusterDriver, ClusterWorkloadEvent, FollowLogOptions, LogOptions, ReadOptions, WorkloadSummary } from '../cluster-driver.js';
import type { ClusterConnector } from '../cluster-connector.js';
import type { KubeDeployment, KubePod } from './kube-objects.js';
import type { ParsedKubeconfig } from './kubeconfig.js';
import { createKubernetesConnector } from './kubernetes-connector.js';
import { createKubeWorkloadClient, type KubeWorkloadClient, type WatchedKind, type WatchedKinds } from './kube-workload-client.js';
import { DEFAULT_LIST_WATCH_TIMING, ListWatchCache, type ListWatchTiming } from './list-watch.js';
import { followPodLogs, splitLogLines } from './pod-log-lines.js';
import { createReplicaTokens } from './replica-tokens.js';
import { newReplicaToken, resolveSecretEnv, workloadSecretName, type SecretEnvVar } from './secret-manifest.js';
import { eventConcerns, workloadEvents, workloadOfEvent } from './workload-events.js';
import type { RuntimeImages } from './workload-image.js';
import { ANNOTATIONS, CONTAINER_NAME, LABELS, MANAGED_SELECTOR, renderDeployment, renderService, renderTokenSecret, tokenSecretName, workloadLabels, type ManifestContext } from './workload-manifests.js';
import { podScheduling } from './workload-scheduling.js';
import { workloadStatusOf } from './workload-status.js';

export interface KubernetesDriverDeps {
  cluster: { name: string; type: ClusterType; scheduler: ClusterScheduler };
  kubeconfig: ParsedKubeconfig;
  /** The cluster's namespace (connection.namespace, default `hmas`); created on the first apply. */
  namespace: string;
  settings?: Partial<KubernetesWorkloadSettings>;
  /** Each runtime's image and commands (from the runtime adapters). */
  runtimeImages: RuntimeImages;
  /** The value of a named secret (the spec's `secretEnv`); undefined when it does not exist. */
  resolveSecret?: (name: string) => Promise<string | undefined>;
  logger: Logger;
  now?: () => Date;
  /** Connection tests and inventory (default: the kubeconfig connector). */
  connector?: ClusterConnector;
  client?: KubeWorkloadClient;
  timing?: { listWatch?: ListWatchTiming; removeWaitMs?: number; terminationGraceSeconds?: number };
}

export interface KubernetesDriver extends ClusterDriver {
  /** Where the gateway sends a workload's traffic, with the replica token to send (never shown elsewhere). */
  upstreams(name: string): Promise<Array<{ url: string; token: string | null }>>;
  /** Every workload's events, from the namespace's watch caches. */
  clusterEvents(since?: Date, options?: ReadOptions): Promise<ClusterWorkloadEvent[]>;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const WATCHED: WatchedKind[] = ['deployments', 'pods', 'services', 'events'];

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Items by the key `keyOf` gives them; items without one are left out. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** The spec a Deployment was applied with (its annotation); undefined when missing or not a valid spec. */
export function specOfDeployment(deployment: KubeDeployment): WorkloadSpec | undefined {
  const text = deployment.metadata.annotations?.[ANNOTATIONS.spec];
  if (!text) return undefined;
  try {
    const parsed = workloadSpecSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Runs workloads as Deployments + Services on a Kubernetes cluster reached with a kubeconfig. */
export function createKubernetesDriver(deps: KubernetesDriverDeps): KubernetesDriver {
  const { namespace, cluster } = deps;
  if (!DNS1123_LABEL.test(namespace) || namespace.length > 63) throw new ValidationError(`Namespace "${namespace}" is not a DNS-1123 label.`);
  const settings = deps.settings ?? {};
  const now = deps.now ?? (() => new Date());
  const client = deps.client ?? createKubeWorkloadClient(deps.kubeconfig);
  const connector = deps.connector ?? createKubernetesConnector({ kubeconfig: deps.kubeconfig, timeoutMs: 10_000, now, logger: deps.logger });
  const removeWaitMs = deps.timing?.removeWaitMs ?? 90_000;
  const scheduling = podScheduling(cluster);
  const tokens = createReplicaTokens((ns, name) => client.readSecret(ns, name), namespace);
  let nodeAddress: Promise<string | undefined> | undefined;

  const caches = {} as { [K in WatchedKind]: ListWatchCache<WatchedKinds[K]> };
  let started = false;
  function start(): void {
    if (started) return;
    started = true;
    for (const kind of WATCHED) {
      const cache = new ListWatchCache(client.listWatch(kind, namespace, kind === 'events' ? undefined : MANAGED_SELECTOR), deps.timing?.listWatch ?? DEFAULT_LIST_WATCH_TIMING, (error) =>
        deps.logger.warn({ err: error, kind, namespace, server: client.server }, 'Kubernetes watch failed; retrying'),
      );
      (caches as Record<WatchedKind, ListWatchCache<never>>)[kind] = cache as ListWatchCache<never>;
      cache.start();
    }
  }
  async function synced(signal?: AbortSignal): Promise<void> {
    start();
    await abortable(Promise.all(WATCHED.map((kind) => caches[kind].whenSynced())), signal);
  }

  /** The live (not being deleted) Deployment of a workload, with its spec. */
  function workload(name: string): { deployment: KubeDeployment; spec: WorkloadSpec } | undefined {
    const deployment = caches.deployments.get(name);
    if (!deployment || deployment.metadata.deletionTimestamp) return undefined;
    const spec = specOfDeployment(deployment);
    return spec ? { deployment, spec } : undefined;
  }
  const podsOf = (name: string): KubePod[] => caches.pods.values().filter((pod) => pod.metadata.labels?.[LABELS.instance] === name);

  function checkSpec(input: WorkloadSpec): WorkloadSpec {
    const parsed = workloadSpecSchema.safeParse(input);
    if (!parsed.success) throw new ValidationError(`Invalid workload spec: ${parsed.error.issues[0]?.message ?? 'unknown shape'}.`, { issues: parsed.error.issues });
    const spec = parsed.data;
    if (workloadSpecHash(spec) !== spec.specHash) throw new ValidationError('The workload spec does not match its specHash: render specs with renderWorkloadSpec and do not change them after.');
    for (const [key, value] of Object.entries(workloadLabels(spec, cluster.name))) {
      const problem = labelKeyProblem(key) ?? labelValueProblem(key, value);
      if (problem) throw new ValidationError(`The workload's labels are not valid on Kubernetes: ${problem}.`);
    }
    return spec;
  }

  /** The spec's secrets as a Secret (applied) and env references; a missing value leaves the reference for the kubelet to report. */
  async function applySecrets(spec: WorkloadSpec): Promise<SecretEnvVar[]> {
    const { secret, env } = await resolveSecretEnv({ ...spec, labels: workloadLabels(spec, cluster.name) }, deps.resolveSecret, { namespace });
    if (secret) await client.applyObject(secret);
    return env;
  }

  async function ensureToken(spec: WorkloadSpec): Promise<string | null> {
    if (spec.apiKeyEnv === null) return null;
    const name = tokenSecretName(spec.name);
    // Read anew at each apply: a Secret removed by hand is made again.
    tokens.forget(spec.name);
    if (await tokens.of(spec.name)) return name;
    const token = newReplicaToken();
    await client.applyObject(renderTokenSecret(spec, { namespace, cluster }, token));
    tokens.remember(spec.name, token);
    return name;
  }

  async function origin(name: string, port: number): Promise<string | undefined> {
    const service = caches.services.get(name);
    if (!service || service.metadata.deletionTimestamp) return undefined;
    if (settings.inCluster) return service.spec?.clusterIP && service.spec.clusterIP !== 'None' ? `http://${service.spec.clusterIP}:${port}` : undefined;
    const nodePort = service.spec?.ports?.find((entry) => entry.name === 'http')?.nodePort;
    if (!nodePort) return undefined;
    nodeAddress ??= settings.nodeAddress ? Promise.resolve(settings.nodeAddress) : client.nodeAddress().catch(() => undefined);
    const address = await nodeAddress;
    if (!address) {
      nodeAddress = undefined;
      return undefined;
    }
    return `http://${address.includes(':') ? `[${address}]` : address}:${nodePort}`;
  }

  /**
   * Whether a Service answers yet: kube-proxy programs a new NodePort (and its first pod behind
   * it) a moment after the pod is ready, and refuses connections until then. Checked with one TCP
   * connect until it succeeds once per origin (and again after a time without a ready pod), so
   * the gateway never gets an endpoint that refuses.
   */
  const reachable = new Set<string>();
  async function answers(at: string, signal?: AbortSignal): Promise<boolean> {
    // A fresh Service usually answers within a second or two: wait that long (the caller's deadline permitting).
    for (let attempt = 0; attempt < 10 && !signal?.aborted; attempt += 1) {
      if (await connects(at)) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  }
  async function connects(at: string): Promise<boolean> {
    if (reachable.has(at)) return true;
    const url = new URL(at);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) });
      const done = (result: boolean) => {
        socket.destroy();
        resolve(result);
      };
      socket.setTimeout(1000, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
    if (ok) reachable.add(at);
    return ok;
  }

  const driver: KubernetesDriver = {
    kind: 'kubeconfig',
    test: (signal) => connector.test(signal),
    inventory: (signal) => connector.inventory(signal),

    async apply(input): Promise<ApplyResult> {
      const spec = checkSpec(input);
      await synced();
      const before = workload(spec.name);
      await client.ensureNamespace(namespace);
      const secretEnv = await applySecrets(spec);
      const tokenSecret = await ensureToken(spec);
      const context: ManifestContext = { namespace, cluster, images: deps.runtimeImages, settings, scheduling, secretEnv, tokenSecret, ...(deps.timing?.terminationGraceSeconds !== undefined ? { terminationGraceSeconds: deps.timing.terminationGraceSeconds } : {}) };
      let deploymentManifest;
      try {
        deploymentManifest = renderDeployment(spec, context);
      } catch (error) {
        throw new ValidationError(error instanceof Error ? error.message : String(error));
      }
      const previous = before?.spec;
      const action: ApplyResult['action'] = !previous
        ? 'created'
        : previous.specHash !== spec.specHash
          ? 'updated'
          : (before.deployment.spec?.replicas ?? previous.replicas) !== spec.replicas
            ? 'scaled'
            : 'unchanged';
      await client.applyObject(renderService(spec, { namespace, cluster, settings }));
      const same = previous && JSON.stringify(previous) === JSON.stringify(spec) && (before.deployment.spec?.replicas ?? previous.replicas) === spec.replicas;
      if (!same) await client.applyObject(deploymentManifest);
      return { action, specHash: spec.specHash };
    },

    async scale(name, replicas) {
      if (!Number.isInteger(replicas) || replicas < 0 || replicas > 1024) throw new ValidationError('replicas must be a whole number from 0 to 1024.');
      await synced();
      const current = workload(name);
      const running = current?.deployment.spec?.replicas ?? 0;
      const paused = current?.deployment.metadata.annotations?.[ANNOTATIONS.pausedReplicas];
      // Pausing keeps the count it had (a second pause keeps the first); scaling up clears it.
      const annotations = { [ANNOTATIONS.pausedReplicas]: replicas === 0 ? (paused ?? String(running)) : null };
      const found = current !== undefined && (await client.scaleDeployment(namespace, name, replicas, annotations));
      if (!found) throw new NotFoundError('workload', name);
    },

    async remove(name) {
      await synced();
      // Deleting what is already being deleted (foreground deletion keeps it until its pods are gone) removes nothing.
      const deleting = (object: { metadata: { deletionTimestamp?: string } } | undefined) => object?.metadata.deletionTimestamp !== undefined;
      // Read before deleting: the watch may report this very deletion before the check.
      const wasDeleting = { deployment: deleting(caches.deployments.get(name)), service: deleting(caches.services.get(name)) };
      // Each object is deleted even when another cannot be (a user who may delete Services and
      // Secrets but not Deployments); the first failure is thrown once all were tried.
      const failures: unknown[] = [];
      const del = (kind: Parameters<typeof client.deleteObject>[0], object: string) =>
        client.deleteObject(kind, namespace, object).catch((error: unknown) => {
          failures.push(error);
          return false;
        });
      const deployment = (await del('deployments', name)) && !wasDeleting.deployment;
      const service = (await del('services', name)) && !wasDeleting.service;
      await del('secrets', workloadSecretName({ name }));
      await del('secrets', tokenSecretName(name));
      tokens.forget(name);
      if (failures.length > 0) throw failures[0];
      // A later Service may get the same node port.
      reachable.clear();
      // Resolves once no container of it runs (pods may stay Terminating a while after), or after a bounded wait.
      const deadline = Date.now() + removeWaitMs;
      while (Date.now() < deadline && podsOf(name).some((pod) => pod.status?.containerStatuses?.some((entry) => entry.state?.running !== undefined || entry.state?.waiting?.reason === 'ContainerCreating'))) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return { removed: deployment || service };
    },

    async status(name, options: ReadOptions = {}): Promise<WorkloadStatus | null> {
      await synced(options.signal);
      const found = workload(name);
      return found ? workloadStatusOf(found.spec, found.deployment, podsOf(name), now()) : null;
    },

    async events(name, since, options: ReadOptions = {}): Promise<WorkloadEvent[]> {
      await synced(options.signal);
      const found = workload(name);
      if (!found) return [];
      return workloadEvents({ ...found, pods: podsOf(name) }, caches.events.values().filter(eventConcerns(name)), since);
    },

    async clusterEvents(since, options: ReadOptions = {}): Promise<ClusterWorkloadEvent[]> {
      await synced(options.signal);
      // The namespace's events, listed once (the watch cache), each sorted to its workload.
      const found = new Map(caches.deployments.values().flatMap((deployment) => {
        const live = workload(deployment.metadata.name);
        return live ? [[deployment.metadata.name, live] as const] : [];
      }));
      const names = new Set(found.keys());
      const kube = groupBy(caches.events.values(), (event) => workloadOfEvent(event, names));
      const pods = groupBy(caches.pods.values(), (pod) => {
        const name = pod.metadata.labels?.[LABELS.instance];
        return name !== undefined && names.has(name) ? name : undefined;
      });
      return [...found].flatMap(([name, live]) => workloadEvents({ ...live, pods: pods.get(name) ?? [] }, kube.get(name) ?? [], since).map((event) => ({ ...event, workload: name })));
    },

    async logs(name, options: LogOptions & ReadOptions = {}): Promise<ReplicaLogs[]> {
      await synced(options.signal);
      if (!workload(name)) return [];
      // A previous run exists only for a container that terminated once (the API answers 400 otherwise).
      const hasRun = (pod: (typeof pods)[number]) => (options.previous ? Boolean(pod.status?.containerStatuses?.some((entry) => entry.lastState?.terminated)) : Boolean(pod.status?.containerStatuses?.length));
      const pods = podsOf(name).filter((pod) => options.replica === undefined || pod.metadata.name === options.replica);
      return Promise.all(
        pods.filter(hasRun).map(async (pod) => ({
          replica: pod.metadata.name,
          lines: splitLogLines(await client.podLog(namespace, pod.metadata.name, CONTAINER_NAME, { tailLines: options.tailLines ?? 100, ...(options.previous ? { previous: true } : {}) })),
        })),
      );
    },

    async *followLogs(name, options: FollowLogOptions = {}): AsyncIterable<LogLine> {
      await synced(options.signal);
      if (!workload(name)) return;
      const signal = options.signal ?? new AbortController().signal;
      const pods = podsOf(name).filter((pod) => (options.replica === undefined || pod.metadata.name === options.replica) && !pod.metadata.deletionTimestamp);
      yield* followPodLogs(
        pods.map((pod) => ({
          pod: pod.metadata.name,
          follow: (onData, inner) => client.followPodLog(namespace, pod.metadata.name, CONTAINER_NAME, { tailLines: options.tailLines ?? 100 }, onData, inner),
        })),
        signal,
      );
    },

    async endpoints(name, options: ReadOptions = {}): Promise<WorkloadEndpoint[]> {
      const status = await driver.status(name, options);
      const found = workload(name);
      if (!status || !found) return [];
      const at = await origin(name, found.spec.port);
      if (status.replicas.ready === 0) {
        // No pod behind the Service (paused, crashed): when one is ready again, kube-proxy
        // programs it a moment later — until then the NodePort refuses, so check it anew.
        if (at) reachable.delete(at);
        return [];
      }
      return at && (await answers(at, options.signal)) ? [{ replica: `service/${name}`, origin: at, url: `${at}${found.spec.openaiBasePath}`, balanced: true }] : [];
    },

    async upstreams(name) {
      const endpoints = await driver.endpoints(name);
      if (endpoints.length === 0) return [];
      const found = workload(name);
      let token: string | null = null;
      if (found?.spec.apiKeyEnv) {
        token = await tokens.of(name);
      }
      return endpoints.map((endpoint) => ({ url: endpoint.url, token }));
    },

    async list(options: ReadOptions = {}): Promise<WorkloadSummary[]> {
      await synced(options.signal);
      return caches.deployments
        .values()
        .filter((deployment) => !deployment.metadata.deletionTimestamp)
        .flatMap((deployment) => {
          const spec = specOfDeployment(deployment);
          return spec ? [{ name: spec.name, deploymentId: spec.deploymentId, specHash: spec.specHash, replicas: deployment.spec?.replicas ?? spec.replicas }] : [];
        });
    },

    async close() {
      if (!started) return;
      for (const kind of WATCHED) caches[kind].stop();
      started = false;
    },
  };
  return driver;
}
