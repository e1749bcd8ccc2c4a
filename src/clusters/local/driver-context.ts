import path from 'node:path';
import type { EventType } from '../../domain/workload.js';
import type { Logger } from '../../lib/logger.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { toPersistedWorkload, type Replica, type Timers, type Workload } from './local-workload.js';
import type { RuntimeUser } from './runtime-user.js';
import { STATE_FILE, writeJsonAtomic } from './state-store.js';

/** Replicas bind here: the host driver's runtimes are reached through H-MAS, not from outside. */
export const LOCAL_HOST = '127.0.0.1';

export interface LocalDriverTiming {
  backoff: BackoffPolicy;
  /** Health checks while a replica starts (or is unready). */
  healthIntervalMs: number;
  /** Health checks of a ready replica (and, for adopted processes, how soon an exit is noticed). */
  readyCheckIntervalMs: number;
  healthTimeoutMs: number;
  /** Failed checks in a row before a ready replica is unready. */
  unhealthyAfter: number;
  /** Time between SIGTERM and SIGKILL when stopping. */
  stopGraceMs: number;
  /** A replica's log is moved aside (one old file kept) when a run starts past this size. */
  maxLogBytes: number;
  /** How often `followLogs` looks for new lines. */
  logPollMs: number;
}

export const DEFAULT_LOCAL_TIMING: Readonly<LocalDriverTiming> = Object.freeze({
  backoff: DEFAULT_BACKOFF,
  healthIntervalMs: 1000,
  readyCheckIntervalMs: 5000,
  healthTimeoutMs: 2000,
  unhealthyAfter: 3,
  stopGraceMs: 10_000,
  maxLogBytes: 10 * 1024 * 1024,
  logPollMs: 250,
});

/** Timing settings a caller changes; the rest are the defaults. */
export type LocalTimingOverrides = Partial<Omit<LocalDriverTiming, 'backoff'>> & { backoff?: Partial<BackoffPolicy> };

/**
 * What the parts of the local driver (supervisor, reconciler, recovery, reads) share: the
 * workloads, the clock and timers, events and the writing of `state.json`.
 */
export interface LocalDriverContext {
  readonly timing: LocalDriverTiming;
  /** Where workloads' directories are (`<dataDir>/workloads` by default). */
  readonly stateDir: string;
  readonly log: Logger;
  /** Every workload the driver knows, by name (removed ones until their removal ends). */
  readonly workloads: Map<string, Workload>;
  /** Set by `close()`: timers do nothing any more and nothing new is written. */
  closed: boolean;
  /** Who replicas run as; resolved by `start()`, before any replica starts. */
  runUser: RuntimeUser;
  now(): Date;
  nowMs(): number;
  /** A timer that does not keep the process alive; negative delays run at once. */
  schedule(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimer(timer: NodeJS.Timeout): void;
  cancel(timers: Timers, ...names: Array<keyof Timers>): void;
  cancelAll(replica: Replica): void;
  /** An event of the workload (or of one replica), also logged: warnings at warn, the rest at debug. */
  record(workload: Workload, type: EventType, reason: string, message: string, replica?: Replica): void;
  /** Writes the workload's state; writes never overlap and a queued write takes the newest state. */
  persist(workload: Workload): Promise<void>;
}

export interface DriverContextOptions {
  timing?: LocalTimingOverrides;
  stateDir: string;
  log: Logger;
  now?: () => Date;
  setTimer?: (fn: () => void, ms: number) => NodeJS.Timeout;
  clearTimer?: (timer: NodeJS.Timeout) => void;
}

export function createDriverContext(options: DriverContextOptions): LocalDriverContext {
  const now = options.now ?? (() => new Date());
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer));
  const log = options.log;

  const context: LocalDriverContext = {
    timing: { ...DEFAULT_LOCAL_TIMING, ...options.timing, backoff: { ...DEFAULT_BACKOFF, ...options.timing?.backoff } },
    stateDir: options.stateDir,
    log,
    workloads: new Map(),
    closed: false,
    // Resolved by start(); until then no replica starts.
    runUser: { switching: false, reason: 'not resolved yet' },
    now,
    nowMs: () => now().getTime(),
    schedule(fn, ms) {
      const timer = setTimer(fn, Math.max(0, ms));
      timer.unref?.();
      return timer;
    },
    clearTimer,
    cancel(timers, ...names) {
      for (const name of names) {
        const timer = timers[name];
        if (timer) clearTimer(timer);
        delete timers[name];
      }
    },
    cancelAll(replica) {
      context.cancel(replica.timers, 'monitor', 'deadline', 'restart', 'grace');
    },
    record(workload, type, reason, message, replica) {
      workload.events.record(type, reason, message, replica ? { kind: 'Replica', name: replica.id } : { kind: 'Workload', name: workload.name });
      const fields = { workload: workload.name, replica: replica?.id, reason };
      if (type === 'Warning') log.warn(fields, message);
      else log.debug(fields, message);
    },
    persist(workload) {
      // A closed driver writes nothing new: a newer driver may own the state by now.
      if (workload.persistQueued || context.closed) return workload.persistChain;
      workload.persistQueued = true;
      workload.persistChain = workload.persistChain
        .then(async () => {
          workload.persistQueued = false;
          if (workload.removed) return;
          await writeJsonAtomic(path.join(workload.dir, STATE_FILE), toPersistedWorkload(workload));
        })
        .catch((error: unknown) => log.error({ err: error, workload: workload.name }, 'could not save the workload state'));
      return workload.persistChain;
    },
  };
  return context;
}
