import { describe, expect, it } from 'vitest';
import type { BackgroundLoop } from './interval-loop.js';
import { createLoopRegistry } from './loop-registry.js';

/** A loop that records what happened to it; stop() resolves when the test says so. */
function recordingLoop(name: string, events: string[]) {
  let finishStop: () => void = () => undefined;
  let stopGate: Promise<void> = Promise.resolve();
  const loop: BackgroundLoop & { holdStop(): () => void } = {
    name,
    start: () => void events.push(`${name}:start`),
    async stop() {
      events.push(`${name}:stop`);
      await stopGate;
      events.push(`${name}:stopped`);
    },
    /** Makes the next stop() wait until the returned function is called. */
    holdStop() {
      stopGate = new Promise<void>((resolve) => {
        finishStop = resolve;
      });
      return () => finishStop();
    },
  };
  return loop;
}

describe('createLoopRegistry', () => {
  it('lists loops by name in the order they were added', () => {
    const registry = createLoopRegistry();
    registry.add(recordingLoop('audit-retention', []));
    registry.add(recordingLoop('login-throttle-prune', []));
    expect(registry.names()).toEqual(['audit-retention', 'login-throttle-prune']);
  });

  it('refuses a second loop with the same name', () => {
    const registry = createLoopRegistry();
    registry.add(recordingLoop('reconcile', []));
    expect(() => registry.add(recordingLoop('reconcile', []))).toThrow(/already registered/);
    expect(registry.names()).toEqual(['reconcile']);
  });

  it('does not start loops when they are added, only on startAll()', () => {
    const events: string[] = [];
    const registry = createLoopRegistry();
    registry.add(recordingLoop('a', events));
    registry.add(recordingLoop('b', events));
    expect(events).toEqual([]);
    registry.startAll();
    expect(events).toEqual(['a:start', 'b:start']);
  });

  it('starts a loop added after startAll() right away', () => {
    const events: string[] = [];
    const registry = createLoopRegistry();
    registry.startAll();
    registry.add(recordingLoop('late', events));
    expect(events).toEqual(['late:start']);
  });

  it('stopAll() stops every loop and resolves only once the slowest has stopped', async () => {
    const events: string[] = [];
    const registry = createLoopRegistry();
    const fast = recordingLoop('fast', events);
    const slow = recordingLoop('slow', events);
    registry.add(fast);
    registry.add(slow);
    registry.startAll();
    const release = slow.holdStop();

    let done = false;
    const stopping = registry.stopAll().then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toContain('fast:stopped');
    expect(events).toContain('slow:stop');
    expect(events).not.toContain('slow:stopped');
    expect(done).toBe(false);

    release();
    await stopping;
    expect(done).toBe(true);
    expect(events).toContain('slow:stopped');
  });

  it('does not start a loop added after stopAll()', async () => {
    const events: string[] = [];
    const registry = createLoopRegistry();
    registry.startAll();
    await registry.stopAll();
    registry.add(recordingLoop('after-shutdown', events));
    expect(events).toEqual([]);
  });

  it('stopAll() with no loops resolves', async () => {
    await expect(createLoopRegistry().stopAll()).resolves.toBeUndefined();
  });
});
