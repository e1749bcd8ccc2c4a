import type { ClusterType, ConnectionKind, Inventory, ReadinessState } from '../../api/types';
import type { BadgeTone } from '../../components/Badge';

export const READINESS: Record<ReadinessState, { label: string; tone: BadgeTone }> = {
  ready: { label: 'ready', tone: 'ok' },
  notReady: { label: 'not ready', tone: 'error' },
  unknown: { label: 'unknown', tone: 'warning' },
};

export const TYPE_NAMES: Record<ClusterType, string> = { HP: 'High Performance', GP: 'General Performance' };

export const CLUSTER_TYPE_OPTIONS: ReadonlyArray<{ value: ClusterType; label: string }> = [
  { value: 'GP', label: 'GP — General Performance (shared GPUs)' },
  { value: 'HP', label: 'HP — High Performance (dedicated multi-GPU nodes)' },
];

export const CONNECTION_KINDS: ReadonlyArray<{ value: ConnectionKind; label: string; hint: string }> = [
  { value: 'kubeconfig', label: 'Kubeconfig', hint: 'H-MAS talks to the cluster’s API server directly (push mode).' },
  { value: 'federation', label: 'Federation (Karmada)', hint: 'Through a Karmada API server, to one of its member clusters.' },
  { value: 'agent', label: 'Agent (pull mode)', hint: 'An agent next to the cluster dials out to H-MAS; for clusters behind NAT.' },
  { value: 'local', label: 'Local host', hint: 'The host H-MAS runs on: only for the cluster named "local".' },
];

export const connectionKindLabel = (kind: ConnectionKind) => CONNECTION_KINDS.find((entry) => entry.value === kind)?.label ?? kind;

/** GPU models with their counts over all nodes: "NVIDIA-H100-80GB-HBM3 ×8, NVIDIA-L40S ×4". */
export function gpuModels(inventory: Inventory): string {
  const counts = new Map<string, number>();
  for (const node of inventory.nodes) {
    for (const group of node.gpus) counts.set(group.model, (counts.get(group.model) ?? 0) + group.count);
  }
  return [...counts].map(([model, count]) => `${model} ×${count}`).join(', ');
}

/** "6/12 · NVIDIA-H100-80GB-HBM3 ×8, …": allocated of allocatable, then the models. */
export function gpuSummary(inventory: Inventory | null): string {
  if (!inventory) return 'not collected yet';
  const { gpuAllocated, gpuAllocatable, gpus } = inventory.totals;
  if (gpus === 0 && gpuAllocatable === 0) return 'no GPUs';
  const models = gpuModels(inventory);
  return `${gpuAllocated}/${gpuAllocatable}${models ? ` · ${models}` : ''}`;
}

/** Kubernetes-style names: what the API accepts for a cluster name or namespace. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

