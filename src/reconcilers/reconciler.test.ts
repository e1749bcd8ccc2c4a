import { describe, expect, it } from 'vitest';
import { alwaysLeader } from '../lib/leadership.js';
import { createLogger } from '../lib/logger.js';
import { waitFor } from '../../test/support/wait-for.js';
import { createLoopTracker } from './loop-tracker.js';
import { reconcilerLoop, type Reconciler } from './reconciler.js';

const logger = createLogger({ level: 'silent', pretty: false });

describe('reconcilerLoop with a tracker', () => {
  it('counts runs and failures, keeps the last error, and says whether the loop runs here', async () => {
    let calls = 0;
    const flaky: Reconciler = {
      name: 'flaky',
      intervalMs: 1,
      needsLeader: false,
      touches: 'nothing',
      runImmediately: true,
      async tick() {
        calls += 1;
        if (calls % 2 === 0) throw new Error(`failure ${calls}`);
      },
    };
    const tracker = createLoopTracker(alwaysLeader());
    const loop = reconcilerLoop(flaky, logger, { tracker });
    expect(tracker.loops()).toEqual([expect.objectContaining({ name: 'flaky', runningHere: false, runs: 0, errors: 0, lastRunAt: null, lastError: null })]);
    loop.start();
    expect(tracker.loops()[0]!.runningHere).toBe(true);
    await waitFor('four runs', async () => (tracker.loops()[0]!.runs >= 4 ? true : undefined));
    await loop.stop();
    const [state] = tracker.loops();
    expect(state).toMatchObject({ runningHere: false, runs: calls, errors: Math.floor(calls / 2), lastRunAt: expect.any(String), lastErrorAt: expect.any(String) });
    expect(state!.lastError).toMatch(/^failure \d+$/);
    expect(state!.lastDurationMs).toBeGreaterThanOrEqual(0);
    expect(tracker.view().leader).toMatchObject({ isLeader: true, election: 'embedded' });
  });
});
