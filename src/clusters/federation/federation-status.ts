import type { ReplicaStatus, WorkloadStatus } from '../../domain/workload.js';
import type { FederationPlacement } from './federation-placement.js';

/**
 * A federated workload's status from what Karmada documents: the resource template's status
 * (Karmada's status controller writes the Deployment's replicas, readyReplicas, updatedReplicas,
 * availableReplicas and observedGeneration summed over the members) and its ResourceBinding
 * (spec.clusters: the scheduler's result; status.conditions Scheduled/FullyApplied;
 * status.aggregatedStatus: per member, whether the object was applied and its health) — plus the
 * status of members that are also registered in H-MAS, read through their own drivers. Pure.
 */

export interface TemplateFacts {
  generation: number;
  replicas: number;
  status: { observedGeneration?: number; replicas?: number; readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number } | undefined;
}

export interface BindingFacts {
  clusters: Array<{ name: string; replicas?: number }>;
  conditions: Array<{ type: string; status: string; reason?: string; message?: string }>;
  aggregatedStatus: Array<{ clusterName: string; applied?: boolean; appliedMessage?: string; health?: string }>;
}

export interface FederatedStatusInput {
  name: string;
  deploymentId: string;
  specHash: string;
  placement: FederationPlacement;
  template: TemplateFacts;
  /** Undefined until Karmada's controllers have bound the template. */
  binding: BindingFacts | undefined;
  /** Status of each member registered in H-MAS (null: it has no such workload yet). */
  members: ReadonlyMap<string, WorkloadStatus | null>;
  observedAt: string;
}

type Counts = WorkloadStatus['replicas'];

const num = (value: number | undefined) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** What the members should run in all: each runs every replica when duplicated. */
export function expectedReplicas(placement: FederationPlacement, templateReplicas: number): number {
  return placement.replicaScheduling === 'Duplicated' ? templateReplicas * placement.members.length : templateReplicas;
}

function aggregatedCounts(template: TemplateFacts, desired: number): Counts {
  const status = template.status ?? {};
  return { desired, current: num(status.replicas), ready: num(status.readyReplicas), available: num(status.availableReplicas), updated: num(status.updatedReplicas) };
}

function memberCounts(members: ReadonlyMap<string, WorkloadStatus | null>, desired: number): Counts {
  const counts: Counts = { desired, current: 0, ready: 0, available: 0, updated: 0 };
  for (const status of members.values()) {
    if (!status) continue;
    counts.current += status.replicas.current;
    counts.ready += status.replicas.ready;
    counts.available += status.replicas.available;
    counts.updated += status.replicas.updated;
  }
  return counts;
}

/** Karmada has not caught up with the template yet (or has not bound it). */
export function federationPending(input: Pick<FederatedStatusInput, 'template' | 'binding' | 'placement'>): boolean {
  const { template, binding, placement } = input;
  if (!binding) return true;
  if (num(template.status?.observedGeneration) < template.generation) return true;
  const reported = new Set(binding.aggregatedStatus.map((item) => item.clusterName));
  return placement.members.some((member) => !reported.has(member.name)) && binding.clusters.length > 0;
}

interface Failure {
  reason: string;
  message: string;
}

function failureOf(input: FederatedStatusInput): Failure | null {
  const scheduled = input.binding?.conditions.find((condition) => condition.type === 'Scheduled');
  if (scheduled?.status === 'False') return { reason: scheduled.reason ?? 'Unschedulable', message: `Karmada could not schedule ${input.name}: ${scheduled.message ?? scheduled.reason ?? 'no reason given'}` };
  for (const item of input.binding?.aggregatedStatus ?? []) {
    if (item.applied === false) return { reason: 'ApplyFailed', message: `${item.clusterName}: Karmada could not apply ${input.name}: ${item.appliedMessage ?? 'no reason given'}` };
  }
  // A registered member says why best: its own reason (CrashLoopBackOff, OOMKilled, …).
  for (const [member, status] of input.members) {
    if (status?.reason && (status.phase === 'Failed' || status.phase === 'Degraded')) return { reason: status.reason, message: `${member}: ${status.message ?? status.reason}` };
  }
  for (const item of input.binding?.aggregatedStatus ?? []) {
    if (item.health === 'Unhealthy' && !input.members.get(item.clusterName)) return { reason: 'Unhealthy', message: `${item.clusterName}: Karmada reports ${input.name} unhealthy` };
  }
  return null;
}

/** Replica ids of a member's replicas: `<member>/<replica>` (logs take them back). */
export const memberReplicaId = (member: string, replica: string) => `${member}/${replica}`;

export function federatedStatus(input: FederatedStatusInput): WorkloadStatus {
  const desired = expectedReplicas(input.placement, input.template.replicas);
  const pending = federationPending(input);
  const registered = input.placement.members.filter((member) => input.members.has(member.name));
  // While Karmada lags, members registered in H-MAS are asked directly — all of them (or the sum
  // is wrong), and only once each has the workload (before that, Karmada has not propagated it).
  const direct = pending && registered.length === input.placement.members.length && registered.every((member) => input.members.get(member.name));
  const replicas = direct ? memberCounts(input.members, desired) : aggregatedCounts(input.template, desired);
  const replicaStatuses: ReplicaStatus[] = [];
  for (const [member, status] of input.members) for (const replica of status?.replicaStatuses ?? []) replicaStatuses.push({ ...replica, id: memberReplicaId(member, replica.id) });

  const failure = failureOf(input);
  let phase: WorkloadStatus['phase'];
  if (desired === 0 && replicas.current === 0 && (!pending || direct)) phase = 'Stopped';
  else if (failure) phase = replicas.ready > 0 ? 'Degraded' : 'Failed';
  else if ((!pending || direct) && replicas.ready >= desired && replicas.updated >= desired && replicas.current === desired) phase = 'Available';
  else phase = 'Progressing';

  const waiting = pending && !direct ? `Waiting for Karmada to propagate ${input.name} to ${input.placement.members.map((member) => member.name).join(', ')}` : null;
  return {
    name: input.name,
    deploymentId: input.deploymentId,
    specHash: input.specHash,
    phase,
    reason: failure?.reason ?? null,
    message: failure?.message ?? (phase === 'Progressing' ? waiting : null),
    replicas,
    replicaStatuses,
    observedAt: input.observedAt,
  };
}
