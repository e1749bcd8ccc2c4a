import { describe, expect, it } from 'vitest';
import { checkAction, deriveStatus, statusAfter, statusAfterFailedObservation, type DeploymentStatus, type WorkloadObservation } from './deployment-status.js';

const seen = (over: Partial<WorkloadObservation> = {}): WorkloadObservation => ({ desiredReplicas: 2, readyReplicas: 0, reasons: [], exists: true, ...over });
const running = { paused: false, deleting: false };

describe('deriveStatus', () => {
  it.each<[string, WorkloadObservation, { paused: boolean; deleting: boolean }, DeploymentStatus]>([
    ['all replicas ready', seen({ readyReplicas: 2 }), running, 'running'],
    ['more ready than asked (rolling update overlap)', seen({ readyReplicas: 3 }), running, 'running'],
    ['some ready, still starting', seen({ readyReplicas: 1 }), running, 'deploying'],
    ['none ready, no failure', seen(), running, 'deploying'],
    ['a replica in CrashLoopBackOff', seen({ reasons: ['CrashLoopBackOff'] }), running, 'failed'],
    ['a replica OOMKilled', seen({ readyReplicas: 1, reasons: ['OOMKilled'] }), running, 'failed'],
    ['never healthy in time', seen({ reasons: ['ProgressDeadlineExceeded'] }), running, 'failed'],
    ['runtime binary missing', seen({ reasons: ['BinaryNotFound'] }), running, 'failed'],
    ['a reason that is not a failure', seen({ reasons: ['Pulling'] }), running, 'deploying'],
    ['workload not on the cluster yet', seen({ exists: false }), running, 'pending'],
    ['paused wins over what is seen', seen({ desiredReplicas: 0 }), { paused: true, deleting: false }, 'paused'],
    ['deleting wins over everything', seen({ readyReplicas: 2 }), { paused: true, deleting: true }, 'deleting'],
    ['zero replicas asked and not paused is not running', seen({ desiredReplicas: 0 }), running, 'deploying'],
  ])('%s → %s', (_label, observation, intent, expected) => {
    expect(deriveStatus(observation, intent)).toBe(expected);
  });
});

describe('checkAction', () => {
  it('refuses an update of a paused deployment with DEPLOYMENT_PAUSED', () => {
    expect(checkAction('paused', 'update')).toMatchObject({ allowed: false, code: 'DEPLOYMENT_PAUSED' });
  });

  it('allows resume only from paused', () => {
    expect(checkAction('paused', 'resume')).toEqual({ allowed: true });
    for (const status of ['pending', 'deploying', 'running', 'failed', 'unknown'] as const) {
      expect(checkAction(status, 'resume')).toMatchObject({ allowed: false, code: 'DEPLOYMENT_NOT_PAUSED' });
    }
  });

  it('refuses every action while the deployment is being deleted', () => {
    for (const action of ['pause', 'resume', 'update', 'rollback', 'delete'] as const) {
      expect(checkAction('deleting', action)).toMatchObject({ allowed: false, code: 'DEPLOYMENT_DELETING' });
    }
  });

  it('lets a failed or unknown deployment be paused, changed or deleted', () => {
    for (const status of ['failed', 'unknown'] as const) {
      for (const action of ['pause', 'update', 'delete'] as const) expect(checkAction(status, action)).toEqual({ allowed: true });
    }
  });
});

describe('statusAfter and failed observations', () => {
  it('moves to the status an action implies', () => {
    expect(statusAfter('pause', 'running')).toBe('paused');
    expect(statusAfter('resume', 'paused')).toBe('deploying');
    expect(statusAfter('update', 'running')).toBe('deploying');
    expect(statusAfter('delete', 'running')).toBe('deleting');
  });

  it('keeps the last status for two failed calls and becomes unknown at the third', () => {
    expect(statusAfterFailedObservation('running', 1)).toBe('running');
    expect(statusAfterFailedObservation('running', 2)).toBe('running');
    expect(statusAfterFailedObservation('running', 3)).toBe('unknown');
    expect(statusAfterFailedObservation('paused', 5)).toBe('paused');
  });
});
