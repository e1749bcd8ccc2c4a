import { createIntervalLoop, type BackgroundLoop } from '../lib/interval-loop.js';
import type { Logger } from '../lib/logger.js';
import type { LoopRegistry } from '../lib/loop-registry.js';

/**
 * One background loop, declared: what it is called, how often it runs, whether only the leader
 * instance may run it, and what it writes. `main/compose.ts` registers every declaration.
 */
export interface Reconciler {
  name: string;
  intervalMs: number;
  /**
   * True when two instances running it at once would do the work twice or fight (leader
   * election, issue 11, runs those on one instance). False: each instance runs its own copy.
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

/** The running loop of a declaration. */
export function reconcilerLoop(reconciler: Reconciler, logger: Logger): BackgroundLoop {
  const loop = createIntervalLoop({
    name: reconciler.name,
    intervalMs: reconciler.intervalMs,
    logger,
    tick: (signal) => reconciler.tick(signal),
    ...(reconciler.runImmediately ? { runImmediately: true } : {}),
  });
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

/** Adds each declaration's loop to the registry that shutdown stops. */
export function registerReconcilers(loops: LoopRegistry, reconcilers: readonly Reconciler[], logger: Logger): void {
  for (const reconciler of reconcilers) loops.add(reconcilerLoop(reconciler, logger));
}
