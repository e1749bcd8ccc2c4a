import type { LoopState, LoopsView } from '../domain/loops.js';
import type { Leadership } from '../lib/leadership.js';

/** What the tracker keeps of a loop's declaration. */
export interface DeclaredLoop {
  name: string;
  intervalMs: number;
  needsLeader: boolean;
  touches: string;
}

/**
 * How this instance's loops are doing, in memory: which run here, when each last ran, how long
 * it took, how many runs and failures. The source of `GET /api/system/loops` and of the
 * `hmas_loop_*` metrics (read at scrape time).
 */
export interface LoopTracker {
  declared(loop: DeclaredLoop): void;
  /** The loop started (true) or stopped (false) on this instance. */
  running(name: string, running: boolean): void;
  /** One run ended; `error` when it failed. */
  ran(name: string, run: { startedAt: Date; durationMs: number; error?: unknown }): void;
  loops(): LoopState[];
  /** The loops and this instance's leadership. */
  view(): LoopsView;
}

export function createLoopTracker(leadership: Leadership): LoopTracker {
  const states = new Map<string, LoopState>();
  const stateOf = (name: string) => {
    const state = states.get(name);
    if (!state) throw new Error(`No loop named "${name}" was declared.`);
    return state;
  };
  const loops = () => [...states.values()].map((state) => ({ ...state }));
  return {
    declared(loop) {
      states.set(loop.name, {
        name: loop.name,
        intervalMs: loop.intervalMs,
        needsLeader: loop.needsLeader,
        touches: loop.touches,
        runningHere: false,
        lastRunAt: null,
        lastDurationMs: null,
        runs: 0,
        errors: 0,
        lastError: null,
        lastErrorAt: null,
      });
    },
    running(name, running) {
      stateOf(name).runningHere = running;
    },
    ran(name, run) {
      const state = stateOf(name);
      state.runs += 1;
      state.lastRunAt = run.startedAt.toISOString();
      state.lastDurationMs = run.durationMs;
      if (run.error !== undefined) {
        state.errors += 1;
        state.lastError = run.error instanceof Error ? run.error.message : String(run.error);
        state.lastErrorAt = new Date(run.startedAt.getTime() + run.durationMs).toISOString();
      }
    },
    loops,
    view() {
      const since = leadership.leaderSince();
      return {
        leader: { isLeader: leadership.isLeader(), election: leadership.election, since: since ? since.toISOString() : null },
        loops: loops(),
      };
    },
  };
}
