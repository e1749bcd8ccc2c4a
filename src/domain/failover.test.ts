import { describe, expect, it } from 'vitest';
import { decideFailover, failoverRetryDelayMs, type FailoverSituation } from './failover.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const rePlace = { action: 're-place' as const, gracePeriodSeconds: 60 };

function situation(overrides: Partial<FailoverSituation> = {}): FailoverSituation {
  return {
    now: at(0),
    deployment: { status: 'unknown', paused: false, deleting: false },
    clusterReady: false,
    policy: rePlace,
    inFlight: null,
    ...overrides,
  };
}
const pending = (extra: { nextAttemptAt?: Date } = {}) => ({ state: 'pending' as const, detectedAt: T0, nextAttemptAt: extra.nextAttemptAt ?? null, abandoned: false });

describe('decideFailover', () => {
  it('starts counting when the cluster is first found lost (not ready, or the deployment unknown)', () => {
    expect(decideFailover(situation()).action).toBe('watch');
    expect(decideFailover(situation({ clusterReady: true, deployment: { status: 'unknown', paused: false, deleting: false } })).action).toBe('watch');
    expect(decideFailover(situation({ clusterReady: false, deployment: { status: 'running', paused: false, deleting: false } })).action).toBe('watch');
  });

  it('waits while the grace period is not over, and moves once it is', () => {
    const waiting = decideFailover(situation({ now: at(59), inFlight: pending() }));
    expect(waiting).toMatchObject({ action: 'wait', until: at(60) });
    expect(decideFailover(situation({ now: at(60), inFlight: pending() })).action).toBe('move');
    expect(decideFailover(situation({ now: at(0), policy: { action: 're-place', gracePeriodSeconds: 0 }, inFlight: pending() })).action).toBe('move');
  });

  it('backs off after a failed move until its next attempt', () => {
    expect(decideFailover(situation({ now: at(120), inFlight: pending({ nextAttemptAt: at(150) }) }))).toMatchObject({ action: 'wait', until: at(150) });
    expect(decideFailover(situation({ now: at(150), inFlight: pending({ nextAttemptAt: at(150) }) })).action).toBe('move');
  });

  it('keeps a deployment whose policy says keep, and one without a strategy or policy', () => {
    expect(decideFailover(situation({ now: at(3600), policy: { action: 'keep', gracePeriodSeconds: 0 } })).action).toBe('none');
    expect(decideFailover(situation({ now: at(3600), policy: null })).action).toBe('none');
    // A pending move whose policy changed to keep is cancelled.
    expect(decideFailover(situation({ now: at(3600), policy: { action: 'keep', gracePeriodSeconds: 0 }, inFlight: pending() })).action).toBe('cancel');
  });

  it('cancels a pending move when the cluster answers again or the deployment is paused', () => {
    expect(decideFailover(situation({ clusterReady: true, deployment: { status: 'running', paused: false, deleting: false }, inFlight: pending() })).action).toBe('cancel');
    expect(decideFailover(situation({ deployment: { status: 'paused', paused: true, deleting: false }, inFlight: pending() })).action).toBe('cancel');
    expect(decideFailover(situation({ clusterReady: true, deployment: { status: 'running', paused: false, deleting: false } })).action).toBe('none');
  });

  it('leaves a running move alone, and retakes an abandoned one at once (no waiting for it to go stale)', () => {
    const moving = (abandoned: boolean) => ({ state: 'moving' as const, detectedAt: T0, nextAttemptAt: null, abandoned });
    expect(decideFailover(situation({ now: at(200), inFlight: moving(false) })).action).toBe('none');
    expect(decideFailover(situation({ now: at(3600), inFlight: moving(false) })).action).toBe('none');
    // Retaken before the grace period or a back-off would allow a new move: it was already decided.
    expect(decideFailover(situation({ now: at(1), inFlight: moving(true) }))).toMatchObject({ action: 'move', why: 'the move claimed earlier was abandoned' });
    // Abandoned, and the cluster answers again: cancelled (what it applied is removed by the caller).
    expect(decideFailover(situation({ clusterReady: true, deployment: { status: 'running', paused: false, deleting: false }, inFlight: moving(true) })).action).toBe('cancel');
    expect(decideFailover(situation({ clusterReady: true, deployment: { status: 'running', paused: false, deleting: false }, inFlight: moving(false) })).action).toBe('none');
  });
});

describe('failoverRetryDelayMs', () => {
  it('doubles from the base and stops at the cap', () => {
    const backoff = { baseMs: 1000, capMs: 10_000 };
    expect([1, 2, 3, 4, 5, 100].map((attempts) => failoverRetryDelayMs(attempts, backoff))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});
