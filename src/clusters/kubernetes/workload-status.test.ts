import { describe, expect, it } from 'vitest';
import { vllmLikeRuntime } from '../../../test/support/container-runtime.js';
import { renderWorkloadSpec } from '../../domain/workload.js';
import type { KubeDeployment, KubePod } from './kube-objects.js';
import { workloadStatusOf } from './workload-status.js';

const runtime = vllmLikeRuntime();
const spec = renderWorkloadSpec({
  deployment: { id: 'dep-1', name: 'chat', replicas: 1 },
  model: { name: 'm', localPath: '/models/m' },
  runtime,
  progressDeadlineSeconds: 60,
}).spec;
const now = new Date('2026-12-04T12:00:00Z');

const deployment = (conditions: KubeDeployment['status'] = {}): KubeDeployment => ({ metadata: { name: 'chat' }, spec: { replicas: 1 }, status: conditions });
/** A pod as the API answers it (fields trimmed to those the mapper reads). */
function pod(status: KubePod['status'], extra: Partial<KubePod['metadata']> = {}): KubePod {
  return { metadata: { name: 'chat-7d9f8c6b5-x2k4p', creationTimestamp: '2026-12-04T11:59:00Z', annotations: { 'hmas.io/spec-hash': spec.specHash }, ...extra }, status };
}
const running = { running: { startedAt: '2026-12-04T11:59:02Z' } };
const ready = [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-04T11:59:05Z' }];

describe('workloadStatusOf', () => {
  it('is Available with one ready pod, the pod name as replica id', () => {
    const status = workloadStatusOf(spec, deployment(), [pod({ phase: 'Running', conditions: ready, containerStatuses: [{ name: 'runtime', ready: true, restartCount: 0, state: running }] })], now);
    expect(status).toMatchObject({ phase: 'Available', reason: null, replicas: { desired: 1, current: 1, ready: 1, available: 1, updated: 1 } });
    expect(status.replicaStatuses[0]).toMatchObject({ id: 'chat-7d9f8c6b5-x2k4p', state: 'ready', port: 8000, pid: null, specHash: spec.specHash, readyAt: '2026-12-04T11:59:05Z' });
  });

  it('reports CrashLoopBackOff from the third crash, with exit code and reason of the last run', () => {
    const crashing = (restartCount: number) =>
      pod({ phase: 'Running', containerStatuses: [{ name: 'runtime', restartCount, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } }, lastState: { terminated: { exitCode: 3, reason: 'Error', finishedAt: '2026-12-04T11:59:30Z' } } }] });
    expect(workloadStatusOf(spec, deployment(), [crashing(1)], now).replicaStatuses[0]).toMatchObject({ state: 'restarting', reason: 'Error' });
    const status = workloadStatusOf(spec, deployment(), [crashing(2)], now);
    expect(status).toMatchObject({ phase: 'Failed', reason: 'CrashLoopBackOff' });
    expect(status.replicaStatuses[0]).toMatchObject({ state: 'crashloop', restarts: 2, lastExitCode: 3, lastTerminationReason: 'Error', lastSignal: null });
  });

  it('reports OOMKilled (SIGKILL) over the crash loop it causes', () => {
    const status = workloadStatusOf(
      spec,
      deployment(),
      [pod({ containerStatuses: [{ name: 'runtime', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] })],
      now,
    );
    expect(status.reason).toBe('OOMKilled');
    expect(status.replicaStatuses[0]).toMatchObject({ lastSignal: 'SIGKILL', lastTerminationReason: 'OOMKilled' });
  });

  it('reports ProgressDeadlineExceeded from the Deployment condition for pods of the current spec that are not ready', () => {
    const status = workloadStatusOf(
      spec,
      deployment({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "chat-7d9f8c6b5" has timed out progressing.' }] }),
      [pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'runtime', restartCount: 0, state: running }] })],
      now,
    );
    expect(status).toMatchObject({ phase: 'Failed', reason: 'ProgressDeadlineExceeded' });
    expect(status.replicaStatuses[0]?.message).toContain('/health');
  });

  it.each([
    ['ImagePullBackOff', 'Back-off pulling image "vllm/vllm-openai:v0.11.0"'],
    ['ErrImagePull', 'rpc error: code = NotFound'],
    ['CreateContainerConfigError', 'secret "chat-secrets" not found'],
  ])('fails a pod waiting with %s, with the kubelet message', (reason, message) => {
    const status = workloadStatusOf(spec, deployment(), [pod({ phase: 'Pending', containerStatuses: [{ name: 'runtime', restartCount: 0, state: { waiting: { reason, message } } }] })], now);
    expect(status).toMatchObject({ phase: 'Failed', reason });
    expect(status.replicaStatuses[0]).toMatchObject({ state: 'failed', message });
  });

  it('fails an unschedulable pod with the scheduler message', () => {
    const message = '0/1 nodes are available: 1 Insufficient nvidia.com/gpu.';
    const status = workloadStatusOf(spec, deployment(), [pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] })], now);
    expect(status).toMatchObject({ phase: 'Failed', reason: 'Unschedulable' });
    expect(status.message).toContain(message);
  });

  it('reports BinaryNotFound when the program is not in the image', () => {
    const message = 'failed to create containerd task: OCI runtime create failed: exec: "vllm": executable file not found in $PATH: unknown';
    const status = workloadStatusOf(spec, deployment(), [pod({ containerStatuses: [{ name: 'runtime', restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 128, reason: 'StartError', message } } }] })], now);
    expect(status).toMatchObject({ phase: 'Failed', reason: 'BinaryNotFound' });
  });

  it('leaves out deleted pods that no longer run and is Stopped at zero replicas', () => {
    const gone = pod({ containerStatuses: [{ name: 'runtime', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }, { deletionTimestamp: '2026-12-04T11:59:50Z' });
    const status = workloadStatusOf(spec, { metadata: { name: 'chat' }, spec: { replicas: 0 } }, [gone], now);
    expect(status).toMatchObject({ phase: 'Stopped', replicaStatuses: [], replicas: { desired: 0, current: 0, ready: 0, available: 0, updated: 0 } });
    const stopping = pod({ containerStatuses: [{ name: 'runtime', state: running }] }, { deletionTimestamp: '2026-12-04T11:59:50Z' });
    expect(workloadStatusOf(spec, { metadata: { name: 'chat' }, spec: { replicas: 0 } }, [stopping], now).replicaStatuses[0]?.state).toBe('stopping');
  });
});
