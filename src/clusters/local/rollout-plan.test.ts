import { describe, expect, it } from 'vitest';
import type { WorkloadStrategy } from '../../domain/workload.js';
import { replicaId } from './local-workload.js';
import { planRollout, type PlannedReplica, type RolloutInput, type RolloutPlan } from './rollout-plan.js';

const NAME = 'chat';
const OLD = 'aaaaaa1111';
const NEW = 'bbbbbb2222';

function replica(specHash: string, index: number, state: PlannedReplica['state'] = 'ready', hasProcess = state !== 'failed'): PlannedReplica {
  return { id: replicaId(NAME, specHash, index), index, specHash, state, hasProcess };
}

function plan(replicas: PlannedReplica[], desired: number, options: { strategy?: WorkloadStrategy; retryFailed?: boolean; specHash?: string } = {}): RolloutPlan {
  const input: RolloutInput = {
    name: NAME,
    specHash: options.specHash ?? NEW,
    desired,
    strategy: options.strategy ?? 'RollingUpdate',
    retryFailed: options.retryFailed ?? false,
    replicas,
  };
  return planRollout(input);
}

/**
 * Carries a rollout out step by step the way the driver does: stopped replicas go, started ones
 * begin `starting` and are ready by the next step. Returns the number of ready replicas after
 * every action, and the replicas at the end.
 */
function simulate(start: PlannedReplica[], desired: number, strategy: WorkloadStrategy): { readyAfterEachAction: number[]; end: PlannedReplica[]; steps: number } {
  let replicas = [...start];
  const readyAfterEachAction: number[] = [];
  for (let step = 1; step <= 20; step += 1) {
    const { actions } = plan(replicas, desired, { strategy });
    if (actions.length === 0 && replicas.every((r) => r.state === 'ready')) return { readyAfterEachAction, end: replicas, steps: step };
    for (const action of actions) {
      if (action.type === 'stop') replicas = replicas.filter((r) => r.id !== action.replica);
      else if (action.type === 'start') replicas.push(replica(NEW, action.index, 'starting'));
      readyAfterEachAction.push(replicas.filter((r) => r.state === 'ready').length);
    }
    replicas = replicas.map((r) => (r.state === 'starting' ? { ...r, state: 'ready' } : r));
  }
  throw new Error('the rollout did not finish in 20 steps');
}

describe('planRollout', () => {
  it('starts every replica of a new workload at once', () => {
    expect(plan([], 3)).toEqual({
      actions: [
        { type: 'start', index: 0 },
        { type: 'start', index: 1 },
        { type: 'start', index: 2 },
      ],
      waitingFor: null,
    });
  });

  it('does nothing when the replicas already run the wanted spec and count', () => {
    expect(plan([replica(NEW, 0), replica(NEW, 1, 'starting')], 2)).toEqual({ actions: [], waitingFor: null });
  });

  it('does nothing for 0 replicas wanted and none there', () => {
    expect(plan([], 0)).toEqual({ actions: [], waitingFor: null });
  });

  it('scales up by starting only the missing indices', () => {
    expect(plan([replica(NEW, 0), replica(NEW, 2)], 4).actions).toEqual([
      { type: 'start', index: 1 },
      { type: 'start', index: 3 },
    ]);
  });

  it('scales down by stopping the highest indices', () => {
    expect(plan([replica(NEW, 0), replica(NEW, 1), replica(NEW, 2)], 1)).toEqual({
      actions: [
        { type: 'stop', replica: replicaId(NAME, NEW, 1), why: 'scaled to 1' },
        { type: 'stop', replica: replicaId(NAME, NEW, 2), why: 'scaled to 1' },
      ],
      waitingFor: null,
    });
  });

  it('scales to 0 by stopping every replica, of the old spec too, whatever the strategy', () => {
    const replicas = [replica(NEW, 0), replica(OLD, 0), replica(OLD, 1)];
    expect(plan(replicas, 0)).toEqual({
      actions: [
        { type: 'stop', replica: replicaId(NAME, NEW, 0), why: 'scaled to 0' },
        { type: 'stop', replica: replicaId(NAME, OLD, 0), why: 'replaced by a new spec' },
        { type: 'stop', replica: replicaId(NAME, OLD, 1), why: 'replaced by a new spec' },
      ],
      waitingFor: null,
    });
  });

  it('leaves stopping replicas to finish and does not count them', () => {
    expect(plan([replica(NEW, 0), replica(NEW, 1, 'stopping')], 1)).toEqual({ actions: [], waitingFor: null });
  });

  it('waits for a stopping replica that still holds the id a new one would take', () => {
    expect(plan([replica(NEW, 0), replica(NEW, 1, 'stopping')], 3)).toEqual({ actions: [{ type: 'start', index: 2 }], waitingFor: 'replica-to-stop' });
  });

  describe('RollingUpdate', () => {
    it('starts one new replica first and keeps every old one serving', () => {
      expect(plan([replica(OLD, 0), replica(OLD, 1)], 2)).toEqual({ actions: [{ type: 'start', index: 0 }], waitingFor: 'new-replica-to-be-ready' });
    });

    it('waits while the new replica is not ready yet', () => {
      expect(plan([replica(OLD, 0), replica(OLD, 1), replica(NEW, 0, 'starting')], 2)).toEqual({ actions: [], waitingFor: 'new-replica-to-be-ready' });
    });

    it('stops one old replica (the highest index) for each new one ready, then starts the next', () => {
      expect(plan([replica(OLD, 0), replica(OLD, 1), replica(NEW, 0)], 2)).toEqual({
        actions: [
          { type: 'stop', replica: replicaId(NAME, OLD, 1), why: 'replaced by a new spec' },
          { type: 'start', index: 1 },
        ],
        waitingFor: 'new-replica-to-be-ready',
      });
    });

    it('stops the last old replica once the new ones serve, and is done', () => {
      expect(plan([replica(OLD, 0), replica(NEW, 0), replica(NEW, 1)], 2)).toEqual({
        actions: [{ type: 'stop', replica: replicaId(NAME, OLD, 0), why: 'replaced by a new spec' }],
        waitingFor: null,
      });
    });

    it('stops old replicas that do not serve at once and starts the new ones in their place', () => {
      const replicas = [replica(OLD, 0, 'crashloop', false), replica(OLD, 1, 'failed')];
      expect(plan(replicas, 2)).toEqual({
        actions: [
          { type: 'stop', replica: replicaId(NAME, OLD, 0), why: 'replaced by a new spec' },
          { type: 'stop', replica: replicaId(NAME, OLD, 1), why: 'replaced by a new spec' },
          { type: 'start', index: 0 },
          { type: 'start', index: 1 },
        ],
        waitingFor: null,
      });
    });

    it('never has fewer replicas serving than wanted while it replaces them', () => {
      const result = simulate([replica(OLD, 0), replica(OLD, 1), replica(OLD, 2)], 3, 'RollingUpdate');
      expect(Math.min(...result.readyAfterEachAction)).toBe(3);
      expect(result.end.map((r) => r.id).sort()).toEqual([0, 1, 2].map((index) => replicaId(NAME, NEW, index)));
    });

    it('keeps the one replica serving when there is only one', () => {
      const result = simulate([replica(OLD, 0)], 1, 'RollingUpdate');
      expect(Math.min(...result.readyAfterEachAction)).toBe(1);
      expect(result.end).toEqual([replica(NEW, 0)]);
    });
  });

  describe('Recreate', () => {
    it('stops every old replica first and starts nothing', () => {
      expect(plan([replica(OLD, 0), replica(OLD, 1)], 2, { strategy: 'Recreate' })).toEqual({
        actions: [
          { type: 'stop', replica: replicaId(NAME, OLD, 0), why: 'replaced by a new spec' },
          { type: 'stop', replica: replicaId(NAME, OLD, 1), why: 'replaced by a new spec' },
        ],
        waitingFor: 'old-replicas-to-stop',
      });
    });

    it('waits until the old replicas have stopped', () => {
      expect(plan([replica(OLD, 0, 'stopping'), replica(OLD, 1, 'stopping')], 2, { strategy: 'Recreate' })).toEqual({ actions: [], waitingFor: 'old-replicas-to-stop' });
    });

    it('starts the new replicas once no old one is left', () => {
      expect(plan([], 2, { strategy: 'Recreate' }).actions).toEqual([
        { type: 'start', index: 0 },
        { type: 'start', index: 1 },
      ]);
    });

    it('has nothing serving in between, unlike a rolling update', () => {
      const result = simulate([replica(OLD, 0), replica(OLD, 1)], 2, 'Recreate');
      expect(result.readyAfterEachAction).toContain(0);
      expect(result.end.map((r) => r.id)).toEqual([replicaId(NAME, NEW, 0), replicaId(NAME, NEW, 1)]);
    });
  });

  describe('replicas that could not start', () => {
    const notFound = replica(NEW, 0, 'failed', false);

    it('tries a replica that never started again when asked to (the same spec applied again)', () => {
      expect(plan([notFound], 1, { retryFailed: true })).toEqual({ actions: [{ type: 'retry', replica: notFound.id }], waitingFor: null });
    });

    it('leaves it failed otherwise', () => {
      expect(plan([notFound], 1)).toEqual({ actions: [], waitingFor: null });
    });

    it('does not retry a failed replica whose process still runs (ProgressDeadlineExceeded)', () => {
      expect(plan([replica(NEW, 0, 'failed', true)], 1, { retryFailed: true }).actions).toEqual([]);
    });

    it('does not retry a replica beyond the replica count: it is stopped', () => {
      expect(plan([replica(NEW, 0), replica(NEW, 1, 'failed', false)], 1, { retryFailed: true }).actions).toEqual([
        { type: 'stop', replica: replicaId(NAME, NEW, 1), why: 'scaled to 1' },
      ]);
    });
  });
});
