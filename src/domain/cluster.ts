import { z } from 'zod';
import { RUNTIME_IDS } from './optimization.js';

/**
 * Clusters: where models are served. Shared by the server, the web UI and the CLI: the
 * request and response shapes, and the pure rules about names, labels and inventory.
 */

export const CLUSTER_TYPES = ['HP', 'GP'] as const;
export type ClusterType = (typeof CLUSTER_TYPES)[number];
export const CLUSTER_SCHEDULERS = ['default', 'koordinator'] as const;
export type ClusterScheduler = (typeof CLUSTER_SCHEDULERS)[number];
export const CONNECTION_KINDS = ['local', 'kubeconfig', 'federation', 'agent'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];
export const READINESS_STATES = ['ready', 'notReady', 'unknown'] as const;
export type ReadinessState = (typeof READINESS_STATES)[number];

/** The name of the host H-MAS runs on; the only cluster whose connection kind is `local`. */
export const LOCAL_CLUSTER_NAME = 'local';
/** Agent tokens start with this, so they can be told apart from session tokens and API keys. */
export const AGENT_TOKEN_PREFIX = 'hmas-agent-';
export const DEFAULT_CLUSTER_NAMESPACE = 'hmas';
/** Largest kubeconfig accepted (they are a few KiB; certificates inline make them bigger). */
export const MAX_KUBECONFIG_LENGTH = 256 * 1024;
export const MAX_LABELS = 64;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_MESSAGE = 'Use a DNS-1123 label: 1–63 lowercase letters, digits and "-", starting and ending with a letter or digit.';

/** A DNS-1123 label: what Kubernetes accepts as a namespace or cluster name. */
export const dns1123LabelSchema = z.string().min(1, DNS1123_LABEL_MESSAGE).max(63, DNS1123_LABEL_MESSAGE).regex(DNS1123_LABEL, DNS1123_LABEL_MESSAGE);
export const clusterNameSchema = dns1123LabelSchema.describe('Cluster name: a DNS-1123 label, unique, cannot be changed.');

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a Kubernetes label key, or undefined when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0) return `label key "${key}" has an empty prefix before "/"`;
    if (prefix.length > 253) return `label key prefix "${prefix.slice(0, 40)}…" is longer than 253 characters`;
    if (!DNS1123_SUBDOMAIN.test(prefix)) return `label key prefix "${prefix}" must be a DNS subdomain: lowercase letters, digits, "-" and "."`;
  }
  if (name.length === 0) return `label key "${key}" has an empty name`;
  if (name.length > 63) return `label key name "${name.slice(0, 40)}…" is longer than 63 characters`;
  if (!LABEL_NAME.test(name)) return `label key "${key}" may use only letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
  return undefined;
}

/** Why `value` is not a Kubernetes label value, or undefined when it is one. */
export function labelValueProblem(key: string, value: string): string | undefined {
  if (value.length > 63) return `label "${key}" has a value longer than 63 characters`;
  if (value.length > 0 && !LABEL_NAME.test(value)) {
    return `label "${key}" has value "${value}": use letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or leave it empty)`;
  }
  return undefined;
}

export const clusterLabelsSchema = z
  .record(z.string().max(400), z.string().max(400))
  .superRefine((labels, context) => {
    const keys = Object.keys(labels);
    if (keys.length > MAX_LABELS) context.addIssue({ code: 'custom', message: `At most ${MAX_LABELS} labels.` });
    for (const key of keys) {
      const problem = labelKeyProblem(key) ?? labelValueProblem(key, labels[key] ?? '');
      if (problem) context.addIssue({ code: 'custom', path: [key], message: problem });
    }
  })
  .describe('Kubernetes-style labels, used by placement strategies.');
export type ClusterLabels = z.infer<typeof clusterLabelsSchema>;

const kubeconfigText = z
  .string()
  .min(1, 'Paste the kubeconfig (YAML).')
  .max(MAX_KUBECONFIG_LENGTH, `A kubeconfig may have at most ${MAX_KUBECONFIG_LENGTH / 1024} KiB.`)
  .describe('The kubeconfig (YAML text). Stored encrypted, never returned.');
const contextName = z.string().trim().min(1).max(253).describe('Context to use; unset = the kubeconfig\'s current-context.');
const namespace = dns1123LabelSchema.describe('Namespace H-MAS deploys into.');

const absolutePath = z
  .string()
  .min(2)
  .max(4096)
  .regex(/^\/[^\0\r\n]*$/, 'Use an absolute path (starting with "/").')
  .refine((value) => !value.split('/').includes('..'), 'The path must not contain "..".');
const imageReference = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/, 'Use an image reference such as "registry.example.com/vllm/vllm-openai:v0.11.0".');
export const IMAGE_PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

/**
 * How the Kubernetes driver runs workloads on this cluster (all optional): images per runtime
 * (default: each runtime's official image, H-MAS's own image for the embedded runtime), a
 * registry mirror for air-gapped clusters (replaces the registry host of every image), a pull
 * secret, host paths mounted into every pod (model directories, a shared cache), a model volume,
 * and whether H-MAS runs inside this cluster (then the gateway reaches Services by ClusterIP,
 * else by NodePort on a node's address).
 */
export const kubernetesWorkloadSettingsSchema = z
  .object({
    inCluster: z.boolean().default(false).describe('H-MAS runs inside this cluster: Services are ClusterIP and reached by their cluster IP.'),
    nodeAddress: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:\-[\]]+$/).optional().describe('Address NodePorts are reached on; default: the first Ready node\'s InternalIP.'),
    images: z.partialRecord(z.enum(RUNTIME_IDS), imageReference).default({}).describe('Image per runtime id, replacing the official one.'),
    selfImage: imageReference.optional().describe("H-MAS's own image, for the embedded runtime (`hmas runtime llama`)."),
    registryMirror: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9._\-/]+)?$/, 'Use a registry host, optionally with a port and path: "mirror.example.com:5000".')
      .optional()
      .describe('Pull every image through this registry (air-gapped clusters).'),
    imagePullSecret: dns1123LabelSchema.optional().describe('Name of a docker-registry Secret in the namespace.'),
    imagePullPolicy: z.enum(IMAGE_PULL_POLICIES).optional(),
    hostPathMounts: z
      .array(z.object({ hostPath: absolutePath, mountPath: absolutePath, readOnly: z.boolean().default(true) }).strict())
      .max(16)
      .default([])
      .describe("Host directories mounted into every replica's pod."),
    modelVolume: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('hostPath'), path: absolutePath, mountPath: absolutePath.optional() }).strict(),
        z.object({ type: z.literal('persistentVolumeClaim'), claimName: dns1123LabelSchema, mountPath: absolutePath }).strict(),
      ])
      .optional()
      .describe("Where model files live, mounted so that the spec's model paths resolve in the pod (default mount path: the host path)."),
  })
  .strict();
export type KubernetesWorkloadSettings = z.infer<typeof kubernetesWorkloadSettingsSchema>;

export const localConnectionSchema = z.object({ kind: z.literal('local') }).strict();
export const kubeconfigConnectionSchema = z
  .object({
    kind: z.literal('kubeconfig'),
    kubeconfig: kubeconfigText,
    context: contextName.optional(),
    namespace: namespace.default(DEFAULT_CLUSTER_NAMESPACE),
    workloads: kubernetesWorkloadSettingsSchema.optional(),
  })
  .strict();
export const federationConnectionSchema = z
  .object({
    kind: z.literal('federation'),
    kubeconfig: kubeconfigText.describe('Kubeconfig of the Karmada API server. Stored encrypted, never returned.'),
    memberCluster: dns1123LabelSchema.describe('Name of the member cluster in Karmada.'),
    context: contextName.optional(),
    namespace: namespace.default(DEFAULT_CLUSTER_NAMESPACE),
    workloads: kubernetesWorkloadSettingsSchema.optional().describe('How the propagated workloads run on the members (images, mirror, mounts, model volume).'),
  })
  .strict();
export const agentConnectionSchema = z.object({ kind: z.literal('agent') }).strict();

/** How H-MAS reaches a cluster, as a client sends it (create, pre-save test). */
export const connectionInputSchema = z.discriminatedUnion('kind', [localConnectionSchema, kubeconfigConnectionSchema, federationConnectionSchema, agentConnectionSchema]);
export type ConnectionInput = z.infer<typeof connectionInputSchema>;

/**
 * A connection change (PATCH). While the kind stays the same, fields left out keep their
 * stored values — the kubeconfig included, so a client that never sees the secret can still
 * change the namespace or context. Switching kinds needs the new kind's required fields.
 */
export const connectionPatchSchema = z.discriminatedUnion('kind', [
  localConnectionSchema,
  z
    .object({
      kind: z.literal('kubeconfig'),
      kubeconfig: kubeconfigText.optional(),
      context: contextName.optional(),
      namespace: namespace.optional(),
      workloads: kubernetesWorkloadSettingsSchema.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('federation'),
      kubeconfig: kubeconfigText.optional(),
      memberCluster: dns1123LabelSchema.optional(),
      context: contextName.optional(),
      namespace: namespace.optional(),
      workloads: kubernetesWorkloadSettingsSchema.optional(),
    })
    .strict(),
  agentConnectionSchema,
]);
export type ConnectionPatch = z.infer<typeof connectionPatchSchema>;

/** What responses show of a connection: never the secret. */
export const connectionSummarySchema = z.object({
  kind: z.enum(CONNECTION_KINDS),
  server: z.string().nullable().describe('API server URL from the kubeconfig (credentials in the URL removed).'),
  context: z.string().nullable(),
  namespace: z.string().nullable(),
  memberCluster: z.string().nullable(),
  insecureSkipTlsVerify: z.boolean().describe('The kubeconfig turns off TLS verification of the API server.'),
  workloads: kubernetesWorkloadSettingsSchema.nullable().optional().describe('How the Kubernetes driver runs workloads there (kubeconfig connections).'),
  hasCredentials: z.boolean().describe('A kubeconfig or agent token is stored (encrypted).'),
});
export type ConnectionSummary = z.infer<typeof connectionSummarySchema>;

export const connectionCheckSchema = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });
export type ConnectionCheck = z.infer<typeof connectionCheckSchema>;

export const connectionTestSchema = z.object({
  ok: z.boolean(),
  checkedAt: z.string(),
  message: z.string(),
  checks: z.array(connectionCheckSchema),
});
export type ConnectionTest = z.infer<typeof connectionTestSchema>;

export const readinessSchema = z.object({
  state: z.enum(READINESS_STATES),
  lastCheckedAt: z.string().nullable(),
  message: z.string(),
});
export type Readiness = z.infer<typeof readinessSchema>;

export const gpuGroupSchema = z.object({
  model: z.string(),
  memoryMiB: z.number().int().nullable().describe('Memory per GPU; null when the cluster does not say.'),
  count: z.number().int(),
});
export type GpuGroup = z.infer<typeof gpuGroupSchema>;

export const migDeviceSchema = z.object({
  profile: z.string().describe('MIG profile, e.g. "1g.10gb".'),
  count: z.number().int().describe('Devices of this profile on the node (capacity).'),
  allocatable: z.number().int(),
  allocated: z.number().int().describe('Held by pods on the node.'),
  memoryMiB: z.number().int().nullable().describe('Memory of one device; null when the node does not say.'),
});
export type MigDevice = z.infer<typeof migDeviceSchema>;

/** Multi-Instance GPU facts of a node, from the NVIDIA device plugin and GPU Feature Discovery. */
export const nodeMigSchema = z.object({
  capable: z.boolean().nullable().describe('nvidia.com/mig.capable; null when the node is not labelled.'),
  strategy: z.string().nullable().describe('nvidia.com/mig.strategy: none, single or mixed; null when not labelled.'),
  devices: z.array(migDeviceSchema).describe('MIG devices offered: per profile (mixed), or the node\'s nvidia.com/gpu when the single strategy makes them MIG devices.'),
});
export type NodeMig = z.infer<typeof nodeMigSchema>;

export const inventoryNodeSchema = z.object({
  name: z.string(),
  ready: z.boolean(),
  gpus: z.array(gpuGroupSchema),
  gpuAllocatable: z.number().int(),
  gpuAllocated: z.number().int(),
  cpuCores: z.number(),
  memoryBytes: z.number(),
  mig: nodeMigSchema.optional().describe('Absent when the cluster says nothing about MIG (the local host, nodes without GPU Feature Discovery).'),
});
export type InventoryNode = z.infer<typeof inventoryNodeSchema>;

export const inventoryTotalsSchema = z.object({
  nodes: z.number().int(),
  readyNodes: z.number().int(),
  gpus: z.number().int(),
  gpuAllocatable: z.number().int(),
  gpuAllocated: z.number().int(),
  gpuMemoryMiB: z.number().int(),
  cpuCores: z.number(),
  memoryBytes: z.number(),
});
export type InventoryTotals = z.infer<typeof inventoryTotalsSchema>;

export const inventorySchema = z.object({
  collectedAt: z.string(),
  nodes: z.array(inventoryNodeSchema),
  totals: inventoryTotalsSchema,
  /** Caveats: GPU allocation unknown, per-node detail not available through Karmada, … */
  notes: z.array(z.string()),
});
export type Inventory = z.infer<typeof inventorySchema>;

/** Sums nodes into totals. GPU memory counts every GPU's memory where it is known. */
export function totalInventory(nodes: InventoryNode[]): InventoryTotals {
  const totals: InventoryTotals = { nodes: nodes.length, readyNodes: 0, gpus: 0, gpuAllocatable: 0, gpuAllocated: 0, gpuMemoryMiB: 0, cpuCores: 0, memoryBytes: 0 };
  for (const node of nodes) {
    if (node.ready) totals.readyNodes += 1;
    for (const group of node.gpus) {
      totals.gpus += group.count;
      totals.gpuMemoryMiB += (group.memoryMiB ?? 0) * group.count;
    }
    totals.gpuAllocatable += node.gpuAllocatable;
    totals.gpuAllocated += node.gpuAllocated;
    totals.cpuCores += node.cpuCores;
    totals.memoryBytes += node.memoryBytes;
  }
  return totals;
}

/** Groups individual GPUs by model and memory: 8 × "H100 80GB" becomes one entry of count 8. */
export function groupGpus(gpus: Array<{ model: string; memoryMiB: number | null }>): GpuGroup[] {
  const groups = new Map<string, GpuGroup>();
  for (const gpu of gpus) {
    const key = `${gpu.model}\u0000${gpu.memoryMiB ?? ''}`;
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { model: gpu.model, memoryMiB: gpu.memoryMiB, count: 1 });
  }
  return [...groups.values()];
}

/** The instance that owns a local cluster: only it starts, stops or adopts the cluster's replicas. */
export const ownerHostSchema = z.object({
  id: z.string().describe("Generated once in the owning instance's data directory (<dataDir>/host-id)."),
  hostname: z.string(),
});
export type OwnerHost = z.infer<typeof ownerHostSchema>;

export const clusterSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  displayName: z.string(),
  type: z.enum(CLUSTER_TYPES),
  connection: connectionSummarySchema,
  scheduler: z.enum(CLUSTER_SCHEDULERS),
  labels: z.record(z.string(), z.string()),
  imagePrecache: z.boolean(),
  readiness: readinessSchema,
  lastTest: connectionTestSchema.nullable(),
  inventory: inventorySchema.nullable(),
  ownerHost: ownerHostSchema.nullable().describe('Local cluster only: the H-MAS instance that runs its replicas; null for other kinds, or while no instance has claimed it.'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Cluster = z.infer<typeof clusterSchema>;

/** A cluster answer that may carry a freshly generated agent token, shown this once. */
export const clusterWithTokenSchema = clusterSchema.extend({
  agentToken: z.string().optional().describe('Present only when an agent token was generated by this call: copy it now, it is never shown again.'),
});
export type ClusterWithToken = z.infer<typeof clusterWithTokenSchema>;

const displayName = z.string().trim().min(1).max(120);

export const createClusterSchema = z
  .object({
    name: clusterNameSchema,
    displayName: displayName.optional().describe('Shown in the UI; default = the name.'),
    type: z.enum(CLUSTER_TYPES).default('GP').describe('HP: dedicated multi-GPU nodes; GP: shared GPUs.'),
    connection: connectionInputSchema,
    scheduler: z.enum(CLUSTER_SCHEDULERS).default('default'),
    labels: clusterLabelsSchema.default({}),
    imagePrecache: z.boolean().default(true).describe('Pull runtime images on every GPU node ahead of time.'),
  })
  .strict();
export type CreateClusterInput = z.infer<typeof createClusterSchema>;

export const updateClusterSchema = z
  .object({
    displayName: displayName.optional(),
    type: z.enum(CLUSTER_TYPES).optional(),
    connection: connectionPatchSchema.optional().describe('Replaces the connection; a change resets the last test result.'),
    scheduler: z.enum(CLUSTER_SCHEDULERS).optional().describe('Changing it keeps the labels.'),
    labels: clusterLabelsSchema.optional().describe('Replaces all labels.'),
    imagePrecache: z.boolean().optional(),
  })
  .strict();
export type UpdateClusterInput = z.infer<typeof updateClusterSchema>;

export const testConnectionSchema = z.object({ connection: connectionInputSchema }).strict();

/** A pre-save connection test: the result, and the inventory found on the way if any. */
export const connectionTestReportSchema = connectionTestSchema.extend({
  readiness: z.enum(READINESS_STATES),
  inventory: inventorySchema.nullable(),
});
export type ConnectionTestReport = z.infer<typeof connectionTestReportSchema>;

export const agentTokenResponseSchema = z.object({
  name: z.string(),
  agentToken: z.string().describe('The new token: copy it now, it is never shown again. The old one stops working.'),
});
