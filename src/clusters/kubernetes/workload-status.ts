import { constants } from 'node:os';
import { summarizeWorkload, WORKLOAD_REASONS, type ReplicaState, type ReplicaStatus, type WorkloadSpec, type WorkloadStatus } from '../../domain/workload.js';
import type { KubeCondition, KubeContainerStatus, KubeDeployment, KubePod } from './kube-objects.js';
import { ANNOTATIONS, CONTAINER_NAME } from './workload-manifests.js';

/** Waiting reasons of a container that will not start without a change (image, config). */
const CANNOT_START = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);
/** What containerd says when the program is not in the image. */
const MISSING_PROGRAM = /executable file not found|no such file or directory/i;

/** Crashes in a row before a replica is reported CrashLoopBackOff (the local driver's default too). */
export const CRASH_LOOP_AFTER = 3;

const condition = (conditions: KubeCondition[] | undefined, type: string) => conditions?.find((entry) => entry.type === type);

function signalName(number: number | undefined): string | null {
  if (number === undefined || number <= 0) return null;
  return Object.entries(constants.signals).find(([, value]) => value === number)?.[0] ?? null;
}

/** Whether the Deployment gave up on its rollout (condition Progressing=False, ProgressDeadlineExceeded). */
export function deadlineExceeded(deployment: KubeDeployment): KubeCondition | undefined {
  const progressing = condition(deployment.status?.conditions, 'Progressing');
  return progressing?.status === 'False' && progressing.reason === WORKLOAD_REASONS.progressDeadline ? progressing : undefined;
}

interface Verdict {
  state: ReplicaState;
  reason: string | null;
  message: string | null;
}

function verdictOf(pod: KubePod, container: KubeContainerStatus | undefined, ready: boolean, spec: WorkloadSpec, deadline: KubeCondition | undefined): Verdict {
  const running = container?.state?.running !== undefined;
  if (pod.metadata.deletionTimestamp) return { state: running ? 'stopping' : 'stopped', reason: null, message: null };
  const scheduled = condition(pod.status?.conditions, 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return { state: 'failed', reason: 'Unschedulable', message: scheduled.message ?? 'no node fits the pod' };
  }
  const waiting = container?.state?.waiting;
  const last = container?.lastState?.terminated ?? container?.state?.terminated;
  const missing = [waiting?.message, last?.message].find((text) => text !== undefined && MISSING_PROGRAM.test(text));
  if (missing !== undefined && !running) return { state: 'failed', reason: WORKLOAD_REASONS.binaryNotFound, message: missing };
  if (waiting?.reason && CANNOT_START.has(waiting.reason)) return { state: 'failed', reason: waiting.reason, message: waiting.message ?? waiting.reason };
  if (waiting?.reason === WORKLOAD_REASONS.crashLoop) {
    const how = last ? `exit code ${last.exitCode ?? '?'}${last.reason ? ` (${last.reason})` : ''}` : 'repeated exits';
    // The kubelet says CrashLoopBackOff from the first back-off; H-MAS from the third crash in a row (as on a host).
    if ((container?.restartCount ?? 0) < CRASH_LOOP_AFTER - 1) return { state: 'restarting', reason: last?.reason ?? WORKLOAD_REASONS.error, message: `restarting after ${how}` };
    return { state: 'crashloop', reason: WORKLOAD_REASONS.crashLoop, message: `restarting with back-off after ${how}` };
  }
  if (container?.state?.terminated) return { state: 'restarting', reason: container.state.terminated.reason ?? WORKLOAD_REASONS.error, message: container.state.terminated.message ?? null };
  if (ready) return { state: 'ready', reason: null, message: null };
  const current = pod.metadata.annotations?.[ANNOTATIONS.specHash] === spec.specHash;
  if (running && deadline && current) {
    return { state: 'failed', reason: WORKLOAD_REASONS.progressDeadline, message: `not ready within ${spec.progressDeadlineSeconds} s: the readiness check GET ${spec.healthPath} does not answer 2xx` };
  }
  // Restarted after being killed for memory: say so while it starts again.
  if ((container?.restartCount ?? 0) > 0 && last?.reason === WORKLOAD_REASONS.oomKilled) {
    return { state: 'starting', reason: WORKLOAD_REASONS.oomKilled, message: `restarted after being killed for exceeding its memory limit (${spec.resources.memory})` };
  }
  return { state: 'starting', reason: null, message: waiting?.reason && waiting.reason !== 'ContainerCreating' ? `${waiting.reason}: ${waiting.message ?? ''}`.trim() : null };
}

/** One pod as a replica. */
export function replicaOfPod(pod: KubePod, index: number, spec: WorkloadSpec, deadline: KubeCondition | undefined): ReplicaStatus {
  const container = pod.status?.containerStatuses?.find((entry) => entry.name === CONTAINER_NAME) ?? pod.status?.containerStatuses?.[0];
  const readyCondition = condition(pod.status?.conditions, 'Ready');
  const ready = readyCondition?.status === 'True' && !pod.metadata.deletionTimestamp && container?.state?.running !== undefined;
  const verdict = verdictOf(pod, container, ready, spec, deadline);
  const last = container?.lastState?.terminated ?? container?.state?.terminated;
  const exitCode = last?.exitCode ?? null;
  return {
    id: pod.metadata.name,
    index,
    specHash: pod.metadata.annotations?.[ANNOTATIONS.specHash] ?? '',
    state: verdict.state,
    ready: verdict.state === 'ready',
    pid: null,
    port: spec.port,
    gpus: null,
    restarts: container?.restartCount ?? 0,
    lastExitCode: exitCode,
    lastSignal: last ? signalName(last.signal ?? (exitCode !== null && exitCode > 128 ? exitCode - 128 : undefined)) : null,
    lastTerminationReason: last?.reason ?? null,
    reason: verdict.reason,
    message: verdict.message,
    startedAt: container?.state?.running?.startedAt ?? null,
    readyAt: ready ? (readyCondition?.lastTransitionTime ?? null) : null,
  };
}

const byAge = (a: KubePod, b: KubePod) =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name);

/**
 * A workload's status from its Deployment and pods (as the watches hold them): the Deployment's
 * replica count and conditions, each pod's container state. Pods that are deleted and no longer
 * run are left out. Pure.
 */
export function workloadStatusOf(spec: WorkloadSpec, deployment: KubeDeployment, pods: readonly KubePod[], now: Date): WorkloadStatus {
  const deadline = deadlineExceeded(deployment);
  const replicas = [...pods]
    .sort(byAge)
    .map((pod, index) => replicaOfPod(pod, index, spec, deadline))
    .filter((replica) => replica.state !== 'stopped');
  const desired = deployment.spec?.replicas ?? spec.replicas;
  const summary = summarizeWorkload(desired, spec.specHash, replicas);
  return { name: spec.name, deploymentId: spec.deploymentId, specHash: spec.specHash, ...summary, replicaStatuses: replicas, observedAt: now.toISOString() };
}
