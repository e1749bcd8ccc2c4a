import { describe, expect, it } from 'vitest';
import { summarizeWorkload, type ReplicaStatus, type WorkloadStatus } from '../../domain/workload.js';
import { decide, rolloutGraceMs } from './rollout-decision.js';

const NEW = 'aaaaaaaaaaaaaaaa';
const OLD = 'bbbbbbbbbbbbbbbb';
const started = new Date('2026-01-01T00:00:00Z');
const after = (seconds: number) => new Date(started.getTime() + seconds * 1000);
const GRACE = 90_000;

function replica(overrides: Partial<ReplicaStatus>): ReplicaStatus {
  return {
    id: `r-${overrides.specHash ?? NEW}-${overrides.index ?? 0}`,
    index: 0,
    specHash: NEW,
    state: 'ready',
    ready: true,
    pid: 1,
    port: 1,
    gpus: null,
    restarts: 0,
    lastExitCode: null,
    lastSignal: null,
    lastTerminationReason: null,
    reason: null,
    message: null,
    startedAt: started.toISOString(),
    readyAt: null,
    ...overrides,
  };
}

function status(desired: number, replicas: ReplicaStatus[], specHash = NEW): WorkloadStatus {
  return { name: 'd', deploymentId: 'id', specHash, ...summarizeWorkload(desired, specHash, replicas), replicaStatuses: replicas, observedAt: started.toISOString() };
}

const crashLooping = replica({ state: 'crashloop', ready: false, reason: 'CrashLoopBackOff', message: 'Back-off 4 s restarting failed replica', lastTerminationReason: 'Error' });
const oldReady = replica({ specHash: OLD });
const change = { cause: 'manual' as const, startedAt: started };
const wanted = { specHash: NEW, replicas: 1 };

describe('decide (rollout monitor)', () => {
  it('succeeds once every desired replica of the new spec is ready and no old one is left', () => {
    expect(decide(change, wanted, status(1, [replica({})]), after(5), GRACE)).toEqual({ action: 'succeed' });
    expect(decide(change, wanted, status(1, [replica({}), oldReady]), after(5), GRACE).action).toBe('wait');
    expect(decide(change, { specHash: NEW, replicas: 2 }, status(2, [replica({})]), after(500), GRACE).action).toBe('wait');
  });

  it('waits within the startup grace even while the new replica crash-loops', () => {
    expect(decide(change, wanted, status(1, [crashLooping, oldReady]), after(89), GRACE)).toMatchObject({ action: 'wait', why: expect.stringContaining('grace') });
  });

  it('rolls back a crash loop, an OOM kill or a missed deadline after the grace', () => {
    expect(decide(change, wanted, status(1, [crashLooping, oldReady]), after(90), GRACE)).toEqual({ action: 'rollback', reason: 'CrashLoopBackOff', message: expect.stringContaining('Back-off') });
    const oom = replica({ state: 'restarting', ready: false, reason: 'OOMKilled', lastTerminationReason: 'OOMKilled', message: 'It was killed by SIGKILL' });
    expect(decide(change, wanted, status(1, [oom, oldReady]), after(91), GRACE)).toMatchObject({ action: 'rollback', reason: 'OOMKilled' });
    const oomLoop = replica({ state: 'crashloop', ready: false, reason: 'CrashLoopBackOff', lastTerminationReason: 'OOMKilled' });
    expect(decide(change, wanted, status(1, [oomLoop]), after(91), GRACE)).toMatchObject({ action: 'rollback', reason: 'OOMKilled' });
    const deadline = replica({ state: 'failed', ready: false, reason: 'ProgressDeadlineExceeded' });
    expect(decide(change, wanted, status(1, [deadline]), after(600), GRACE)).toMatchObject({ action: 'rollback', reason: 'ProgressDeadlineExceeded' });
  });

  it('keeps waiting after the grace while new replicas only start, or fail for other reasons', () => {
    expect(decide(change, wanted, status(1, [replica({ state: 'starting', ready: false }), oldReady]), after(300), GRACE)).toMatchObject({ action: 'wait' });
    expect(decide(change, wanted, status(1, [replica({ state: 'restarting', ready: false, reason: 'Error' }), oldReady]), after(300), GRACE)).toMatchObject({ action: 'wait' });
  });

  it('ignores failures of old replicas: only the new spec is judged', () => {
    const oldCrashing = { ...crashLooping, specHash: OLD, id: 'old' };
    expect(decide(change, wanted, status(1, [oldCrashing, replica({ state: 'starting', ready: false })]), after(300), GRACE).action).toBe('wait');
  });

  it('waits while the cluster has not taken the new spec, or has no workload', () => {
    expect(decide(change, wanted, status(1, [oldReady], OLD), after(300), GRACE)).toMatchObject({ action: 'wait', why: expect.stringContaining('new spec') });
    expect(decide(change, wanted, null, after(300), GRACE).action).toBe('wait');
  });

  it('never rolls back a rollback: a failing rollback fails', () => {
    expect(decide({ cause: 'rollback', startedAt: started }, wanted, status(1, [crashLooping]), after(120), GRACE)).toMatchObject({ action: 'fail', reason: 'CrashLoopBackOff' });
  });
});

describe('rolloutGraceMs', () => {
  const settings = { byStrategy: { Recreate: 180_000, RollingUpdate: 90_000 }, byRuntime: { vllm: 600_000 } };
  it("is the strategy's grace, or the runtime's where that is longer", () => {
    expect(rolloutGraceMs(settings, 'Recreate', 'embedded-llamacpp')).toBe(180_000);
    expect(rolloutGraceMs(settings, 'RollingUpdate', 'embedded-llamacpp')).toBe(90_000);
    expect(rolloutGraceMs(settings, 'RollingUpdate', 'vllm')).toBe(600_000);
  });
});
