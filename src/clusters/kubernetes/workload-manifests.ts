import type { KubernetesWorkloadSettings } from '../../domain/cluster.js';
import { WORKLOAD_HOST_VAR, WORKLOAD_PORT_VAR, type WorkloadSpec } from '../../domain/workload.js';
import type { SecretEnvVar } from './secret-manifest.js';
import { scrapeMetadata, withoutScrapeAnnotations } from './scrape-metadata.js';
import { containerProgram, type RuntimeImages } from './workload-image.js';
import type { PodScheduling } from './workload-scheduling.js';

/** Labels and annotations H-MAS puts on what it creates (and reads back). */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  deployment: 'hmas.io/deployment',
  cluster: 'hmas.io/cluster',
  runtime: 'hmas.io/runtime',
} as const;
export const ANNOTATIONS = {
  specHash: 'hmas.io/spec-hash',
  /** The whole spec as JSON: `list` and a new driver instance read workloads back from it. */
  spec: 'hmas.io/spec',
  pausedReplicas: 'hmas.io/paused-replicas',
} as const;
export const MANAGED_BY = 'hmas';
export const CONTAINER_NAME = 'runtime';
/** Selects everything H-MAS manages in a namespace (the watches use it). */
export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;

export type Manifest = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> } };

export interface ManifestContext {
  namespace: string;
  cluster: { name: string };
  images: RuntimeImages;
  settings: Partial<KubernetesWorkloadSettings>;
  scheduling: PodScheduling;
  /** `valueFrom.secretKeyRef` entries for the spec's `secretEnv` (renderSecretEnv). */
  secretEnv: SecretEnvVar[];
  /** The Secret holding the replica token (when the spec has `apiKeyEnv`). */
  tokenSecret: string | null;
  /** Seconds between SIGTERM and SIGKILL when a pod stops. */
  terminationGraceSeconds?: number;
}

/** The Secret holding a workload's replica token: `<name>-token`. */
export function tokenSecretName(name: string): string {
  return `${name.slice(0, 63 - '-token'.length).replace(/-+$/, '')}-token`;
}
export const TOKEN_KEY = 'token';

/** The labels that select a workload's pods (never change: a Deployment's selector is immutable). */
export function selectorLabels(name: string): Record<string, string> {
  return { [LABELS.instance]: name, [LABELS.managedBy]: MANAGED_BY };
}

/** Labels of every object of a workload. */
export function workloadLabels(spec: WorkloadSpec, clusterName: string): Record<string, string> {
  return {
    ...spec.labels,
    ...selectorLabels(spec.name),
    [LABELS.name]: spec.name,
    [LABELS.component]: 'inference',
    [LABELS.deployment]: spec.deploymentId,
    [LABELS.cluster]: clusterName,
    [LABELS.runtime]: spec.runtime,
  };
}

function volumesOf(settings: Partial<KubernetesWorkloadSettings>): { volumes: unknown[]; mounts: unknown[] } {
  const volumes: unknown[] = [];
  const mounts: unknown[] = [];
  (settings.hostPathMounts ?? []).forEach((mount, index) => {
    volumes.push({ name: `host-${index}`, hostPath: { path: mount.hostPath, type: 'Directory' } });
    mounts.push({ name: `host-${index}`, mountPath: mount.mountPath, readOnly: mount.readOnly ?? true });
  });
  const model = settings.modelVolume;
  if (model?.type === 'hostPath') {
    volumes.push({ name: 'models', hostPath: { path: model.path, type: 'Directory' } });
    mounts.push({ name: 'models', mountPath: model.mountPath ?? model.path, readOnly: true });
  } else if (model?.type === 'persistentVolumeClaim') {
    volumes.push({ name: 'models', persistentVolumeClaim: { claimName: model.claimName, readOnly: true } });
    mounts.push({ name: 'models', mountPath: model.mountPath, readOnly: true });
  }
  return { volumes, mounts };
}

/** A container's resources for a profile (also what a Karmada OverridePolicy writes per member). */
export function resourcesOf(spec: Pick<WorkloadSpec, 'resources'>): Record<string, Record<string, string>> {
  const { cpu, memory, gpuCount } = spec.resources;
  const requests: Record<string, string> = { cpu, memory };
  const limits: Record<string, string> = { cpu, memory };
  if (gpuCount > 0) limits['nvidia.com/gpu'] = String(gpuCount);
  return { requests, limits };
}

/** Container env: where to listen first (args and later values refer to them with `$(VAR)`), then the spec's, then secrets. */
function envOf(spec: WorkloadSpec, context: ManifestContext): unknown[] {
  const env: unknown[] = [
    { name: WORKLOAD_HOST_VAR, value: '0.0.0.0' },
    { name: WORKLOAD_PORT_VAR, value: String(spec.port) },
    ...Object.keys(spec.env)
      .sort()
      .map((name) => ({ name, value: spec.env[name] })),
    ...context.secretEnv,
  ];
  if (spec.apiKeyEnv !== null && context.tokenSecret !== null) {
    env.push({ name: spec.apiKeyEnv, valueFrom: { secretKeyRef: { name: context.tokenSecret, key: TOKEN_KEY, optional: false } } });
  }
  return env;
}

/** The Deployment of a workload. Pure: the same spec and context give the same object. */
export function renderDeployment(spec: WorkloadSpec, context: ManifestContext): Manifest {
  const labels = workloadLabels(spec, context.cluster.name);
  const program = containerProgram(spec, context.images, context.settings);
  const { volumes, mounts } = volumesOf(context.settings);
  const scrape = scrapeMetadata(spec);
  const podAnnotations = { ...withoutScrapeAnnotations(spec.annotations), ...scrape.annotations, [ANNOTATIONS.specHash]: spec.specHash };
  const container = {
    name: CONTAINER_NAME,
    image: program.image,
    ...(program.command ? { command: program.command } : {}),
    args: program.args,
    ...(context.settings.imagePullPolicy ? { imagePullPolicy: context.settings.imagePullPolicy } : {}),
    env: envOf(spec, context),
    ports: [{ name: 'http', containerPort: spec.port, protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: spec.healthPath, port: 'http' }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 },
    resources: resourcesOf(spec),
    volumeMounts: mounts,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: spec.name,
      namespace: context.namespace,
      labels,
      annotations: { ...spec.annotations, [ANNOTATIONS.specHash]: spec.specHash, [ANNOTATIONS.spec]: JSON.stringify(spec) },
    },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: selectorLabels(spec.name) },
      strategy: spec.strategy === 'Recreate' ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      progressDeadlineSeconds: spec.progressDeadlineSeconds,
      revisionHistoryLimit: 3,
      template: {
        metadata: { labels: { ...labels, ...scrape.labels, ...context.scheduling.labels }, annotations: podAnnotations },
        spec: {
          containers: [container],
          volumes,
          // No cluster DNS is assumed and pods need no API access.
          dnsPolicy: 'Default',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: context.terminationGraceSeconds ?? 10,
          ...(context.scheduling.schedulerName ? { schedulerName: context.scheduling.schedulerName } : {}),
          ...(context.scheduling.priorityClassName ? { priorityClassName: context.scheduling.priorityClassName } : {}),
          ...(context.settings.imagePullSecret ? { imagePullSecrets: [{ name: context.settings.imagePullSecret }] } : {}),
        },
      },
    },
  };
}

/** The Service in front of a workload's pods: NodePort, or ClusterIP when H-MAS runs in the cluster. */
export function renderService(spec: WorkloadSpec, context: Pick<ManifestContext, 'namespace' | 'cluster' | 'settings'>): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: spec.name, namespace: context.namespace, labels: workloadLabels(spec, context.cluster.name), annotations: { [ANNOTATIONS.specHash]: spec.specHash } },
    spec: {
      type: context.settings.inCluster ? 'ClusterIP' : 'NodePort',
      selector: selectorLabels(spec.name),
      ports: [{ name: 'http', port: spec.port, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** The Secret with the replica token the gateway sends (`Authorization: Bearer`). */
export function renderTokenSecret(spec: WorkloadSpec, context: Pick<ManifestContext, 'namespace' | 'cluster'>, token: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: tokenSecretName(spec.name), namespace: context.namespace, labels: workloadLabels(spec, context.cluster.name) },
    type: 'Opaque',
    data: { [TOKEN_KEY]: Buffer.from(token, 'utf8').toString('base64') },
  };
}

/** The namespace H-MAS deploys into, created when missing. */
export function renderNamespace(name: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, namespace: '', labels: { [LABELS.managedBy]: MANAGED_BY } } };
}
