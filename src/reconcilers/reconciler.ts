import { createIntervalLoop, type BackgroundLoop } from '../lib/interval-loop.js';
import type { Logger } from '../lib/logger.js';
import type { Leadership } from '../lib/leadership.js';
import type { LoopRegistry } from '../lib/loop-registry.js';
import { leaderOnly } from './leader-only.js';
import type { LoopTracker } from './loop-tracker.js';

/**
 * One background loop, declared: what it is called, how often it runs, whether only the leader
 * instance may run it, and what it writes. `main/compose.ts` registers every declaration.
 */
export interface Reconciler {
  name: string;
  intervalMs: number;
  /**
   * True when two instances running it at once would do the work twice or fight: it runs only
   * on the leader (elected through PostgreSQL, `db/leader-elector.ts`), stopped at once when
   * leadership is lost. False: each instance runs its own copy.
   */
  needsLeader: boolean;
  /** What a tick writes, in words (tables, caches, the cluster's workloads). */
  touches: string;
  /** Run the first tick at start instead of after one interval. */
  runImmediately?: boolean;
  /** One tick. Errors are logged; the loop keeps going. Ticks never overlap. */
  tick(signal: AbortSignal): Promise<void>;
  /** Runs once after the loop stopped at shutdown (a last flush). Its failure is logged. */
  afterStop?(): Promise<void>;
}

/** What registering adds to a declaration's loop: leader gating and run tracking. */
export interface ReconcilerLoopOptions {
  /** Gates loops that need the leader; without it they run as any other (one instance). */
  leadership?: Leadership;
  /** Records runs, failures and whether the loop runs here. */
  tracker?: LoopTracker;
}

/** The running loop of a declaration. */
export function reconcilerLoop(reconciler: Reconciler, logger: Logger, options: ReconcilerLoopOptions = {}): BackgroundLoop {
  const { tracker, leadership } = options;
  tracker?.declared(reconciler);
  const tick = tracker ? tracked(reconciler, tracker) : (signal: AbortSignal) => reconciler.tick(signal);
  const interval = createIntervalLoop({
    name: reconciler.name,
    intervalMs: reconciler.intervalMs,
    logger,
    tick,
    ...(reconciler.runImmediately ? { runImmediately: true } : {}),
  });
  const onRunning = (running: boolean) => tracker?.running(reconciler.name, running);
  const loop = reconciler.needsLeader && leadership ? leaderOnly(interval, leadership, onRunning) : reportingRunning(interval, onRunning);
  const afterStop = reconciler.afterStop;
  if (!afterStop) return loop;
  return {
    name: loop.name,
    start: () => loop.start(),
    async stop() {
      await loop.stop();
      await afterStop().catch((error: unknown) => logger.warn({ err: error, loop: reconciler.name }, 'the last run after stopping failed'));
    },
  };
}

/** The declaration's tick, timed and counted; a failure is recorded and passed on (to be logged). */
function tracked(reconciler: Reconciler, tracker: LoopTracker) {
  return async (signal: AbortSignal) => {
    const startedAt = new Date();
    const began = performance.now();
    try {
      await reconciler.tick(signal);
      tracker.ran(reconciler.name, { startedAt, durationMs: performance.now() - began });
    } catch (error) {
      tracker.ran(reconciler.name, { startedAt, durationMs: performance.now() - began, error });
      throw error;
    }
  };
}

function reportingRunning(loop: BackgroundLoop, onRunning: (running: boolean) => void): BackgroundLoop {
  return {
    name: loop.name,
    start() {
      onRunning(true);
      loop.start();
    },
    async stop() {
      onRunning(false);
      await loop.stop();
    },
  };
}

/** Adds each declaration's loop to the registry that shutdown stops. */
export function registerReconcilers(loops: LoopRegistry, reconcilers: readonly Reconciler[], logger: Logger, options: ReconcilerLoopOptions = {}): void {
  for (const reconciler of reconcilers) loops.add(reconcilerLoop(reconciler, logger, options));
}
