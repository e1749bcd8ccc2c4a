import { WORKLOAD_REASONS, type WorkloadEvent } from '../../domain/workload.js';
import type { KubeDeployment, KubeEvent, KubePod } from './kube-objects.js';
import { deadlineExceeded, replicaOfPod } from './workload-status.js';
import { CONTAINER_NAME } from './workload-manifests.js';
import type { WorkloadSpec } from '../../domain/workload.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a core/v1 event is about a workload: its Deployment or Service (the workload's name),
 * one of its ReplicaSets (`<name>-<template hash>`) or pods (`<name>-<template hash>-<suffix>`).
 */
export function eventConcerns(name: string): (event: KubeEvent) => boolean {
  const replicaSet = new RegExp(`^${escape(name)}-[a-z0-9]{6,10}$`);
  const pod = new RegExp(`^${escape(name)}-[a-z0-9]{6,10}-[a-z0-9]{5}$`);
  return (event) => {
    const { kind, name: object } = event.involvedObject ?? {};
    if (object === undefined) return false;
    if (kind === 'Deployment' || kind === 'Service') return object === name;
    if (kind === 'ReplicaSet') return replicaSet.test(object);
    if (kind === 'Pod') return pod.test(object);
    return false;
  };
}

/** `name` without its last `count` dash-separated parts (`a-b-c`, 2 → `a`); undefined when it has too few. */
function withoutSuffixes(name: string, count: number): string | undefined {
  const parts = name.split('-');
  return parts.length > count ? parts.slice(0, parts.length - count).join('-') : undefined;
}

/**
 * The workload among `names` a core/v1 event of the namespace is about, read off its involved
 * object as `eventConcerns` reads it: the Deployment or Service of that name, a ReplicaSet
 * `<name>-<hash>`, a pod `<name>-<hash>-<suffix>`. One lookup per event, so a whole namespace's
 * events are sorted to their workloads in one pass.
 */
export function workloadOfEvent(event: KubeEvent, names: ReadonlySet<string>): string | undefined {
  const { kind, name: object } = event.involvedObject ?? {};
  if (object === undefined) return undefined;
  const candidate = kind === 'Deployment' || kind === 'Service' ? object : kind === 'ReplicaSet' ? withoutSuffixes(object, 1) : kind === 'Pod' ? withoutSuffixes(object, 2) : undefined;
  return candidate !== undefined && names.has(candidate) && eventConcerns(candidate)(event) ? candidate : undefined;
}

/**
 * Every event of one workload since a time: its core/v1 events (`kube`, already the workload's)
 * from the Deployment's creation on, and those read off the objects' state, merged.
 */
export function workloadEvents(found: { spec: WorkloadSpec; deployment: KubeDeployment; pods: readonly KubePod[] }, kube: readonly KubeEvent[], since?: Date): WorkloadEvent[] {
  const created = found.deployment.metadata.creationTimestamp;
  const from = created === undefined ? undefined : new Date(created).toISOString();
  const events = byStorageOrder(kube)
    .map((event) => workloadEventOf(found.spec.name, event))
    .filter((event): event is WorkloadEvent => event !== undefined && (from === undefined || event.lastTimestamp >= from));
  return mergeEvents([...events, ...stateEvents(found.spec, found.deployment, found.pods)], since);
}

/** Core events in the order the API server stored them (timestamps have whole seconds only). */
export function byStorageOrder(events: readonly KubeEvent[]): KubeEvent[] {
  const version = (event: KubeEvent) => Number(event.metadata.resourceVersion ?? 0);
  return [...events].sort((a, b) => version(a) - version(b));
}

/** A core/v1 event as a WorkloadEvent: pods are replicas, everything else is the workload. */
export function workloadEventOf(name: string, event: KubeEvent): WorkloadEvent | undefined {
  const last = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp;
  if (!last) return undefined;
  const pod = event.involvedObject?.kind === 'Pod';
  return {
    type: event.type === 'Warning' ? 'Warning' : 'Normal',
    reason: event.reason ?? 'Unknown',
    message: event.message ?? '',
    count: Math.max(1, event.count ?? 1),
    firstTimestamp: new Date(event.firstTimestamp ?? event.eventTime ?? last).toISOString(),
    lastTimestamp: new Date(last).toISOString(),
    involvedObject: { kind: pod ? 'Replica' : 'Workload', name: pod ? (event.involvedObject?.name ?? name) : name },
  };
}

/**
 * Events H-MAS reads off the objects' state where Kubernetes records none (so every driver
 * reports the same reasons): a replica turning Ready, exits (with OOMKilled apart), a program
 * missing from the image, and the Deployment's progress deadline. Pure: derived again on every
 * read, so they survive a restart of H-MAS as long as the objects do.
 */
export function stateEvents(spec: WorkloadSpec, deployment: KubeDeployment, pods: readonly KubePod[]): WorkloadEvent[] {
  const events: WorkloadEvent[] = [];
  const at = (time: string | undefined) => (time ? new Date(time).toISOString() : undefined);
  const replica = (pod: KubePod) => ({ kind: 'Replica' as const, name: pod.metadata.name });
  for (const pod of pods) {
    const ready = pod.status?.conditions?.find((entry) => entry.type === 'Ready' && entry.status === 'True');
    const readyAt = at(ready?.lastTransitionTime);
    if (readyAt) events.push({ type: 'Normal', reason: 'Ready', message: `answers GET ${spec.healthPath}`, count: 1, firstTimestamp: readyAt, lastTimestamp: readyAt, involvedObject: replica(pod) });
    const container = pod.status?.containerStatuses?.find((entry) => entry.name === CONTAINER_NAME);
    const last = container?.lastState?.terminated ?? container?.state?.terminated;
    const finished = at(last?.finishedAt);
    if (container && last && finished) {
      const exits = (container.restartCount ?? 0) + (container.state?.running ? 0 : 1);
      const how = `exit code ${last.exitCode ?? '?'}${last.reason ? ` (${last.reason})` : ''}`;
      events.push({ type: 'Warning', reason: 'Exited', message: `the runtime exited: ${how}`, count: Math.max(1, exits), firstTimestamp: finished, lastTimestamp: finished, involvedObject: replica(pod) });
      if (last.reason === WORKLOAD_REASONS.oomKilled) {
        events.push({ type: 'Warning', reason: WORKLOAD_REASONS.oomKilled, message: `killed for exceeding its memory limit (${spec.resources.memory})`, count: 1, firstTimestamp: finished, lastTimestamp: finished, involvedObject: replica(pod) });
      }
    }
    const status = replicaOfPod(pod, 0, spec, undefined);
    if (status.state === 'crashloop' && finished) {
      events.push({ type: 'Warning', reason: WORKLOAD_REASONS.crashLoop, message: status.message ?? 'restarting with back-off', count: 1, firstTimestamp: finished, lastTimestamp: finished, involvedObject: replica(pod) });
    }
    if (status.reason === WORKLOAD_REASONS.binaryNotFound) {
      const time = finished ?? at(pod.metadata.creationTimestamp) ?? new Date(0).toISOString();
      events.push({ type: 'Warning', reason: WORKLOAD_REASONS.binaryNotFound, message: status.message ?? 'the program is not in the image', count: 1, firstTimestamp: time, lastTimestamp: time, involvedObject: replica(pod) });
    }
  }
  const deadline = deadlineExceeded(deployment);
  const deadlineAt = at(deadline?.lastUpdateTime ?? deadline?.lastTransitionTime);
  if (deadline && deadlineAt) {
    events.push({ type: 'Warning', reason: WORKLOAD_REASONS.progressDeadline, message: deadline.message ?? 'the rollout did not make progress in time', count: 1, firstTimestamp: deadlineAt, lastTimestamp: deadlineAt, involvedObject: { kind: 'Workload', name: spec.name } });
  }
  return events;
}

/** Events since a time, oldest first, repeats of (object, type, reason, message) merged. */
export function mergeEvents(events: readonly WorkloadEvent[], since?: Date): WorkloadEvent[] {
  const merged = new Map<string, WorkloadEvent>();
  for (const event of events) {
    const key = `${event.involvedObject.kind}/${event.involvedObject.name}\n${event.type}\n${event.reason}\n${event.message}`;
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...event });
    else {
      seen.count += event.count;
      if (event.firstTimestamp < seen.firstTimestamp) seen.firstTimestamp = event.firstTimestamp;
      if (event.lastTimestamp > seen.lastTimestamp) seen.lastTimestamp = event.lastTimestamp;
    }
  }
  return [...merged.values()]
    .filter((event) => since === undefined || new Date(event.lastTimestamp).getTime() >= since.getTime())
    // Stable: events of the same second keep the order they came in (the API server's).
    .sort((a, b) => a.lastTimestamp.localeCompare(b.lastTimestamp));
}
