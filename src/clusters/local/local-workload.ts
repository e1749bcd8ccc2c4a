import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ReplicaState, ReplicaStatus, WorkloadSpec } from '../../domain/workload.js';
import type { EventLog } from './event-log.js';
import type { PersistedReplica, PersistedWorkload } from './state-store.js';

/**
 * The local driver's picture of its workloads in memory: each workload with its replicas, how a
 * new or restored replica begins, and how the picture is written to `state.json` and shown.
 */

export interface Timers {
  monitor?: NodeJS.Timeout;
  deadline?: NodeJS.Timeout;
  restart?: NodeJS.Timeout;
  grace?: NodeJS.Timeout;
}

export interface Replica {
  id: string;
  index: number;
  spec: WorkloadSpec;
  logFile: string;
  state: ReplicaState;
  pid: number | null;
  port: number | null;
  gpus: number[] | null;
  argv: string[];
  /** Its API key (replica-token.ts); null until it first starts, or for a replica adopted from before tokens. */
  token: string | null;
  startTime: string | null;
  /** Our own child; null for a process adopted from an earlier server (watched by polling). */
  child: ChildProcess | null;
  startedAt: number | null;
  readyAt: number | null;
  restarts: number;
  /** Consecutive crashes (for the back-off). */
  crashes: number;
  lastExitCode: number | null;
  lastSignal: string | null;
  lastTerminationReason: string | null;
  reason: string | null;
  message: string | null;
  lastHealth: string | null;
  healthFailures: number;
  /** Increases with every start; callbacks of an earlier run see a different number and do nothing. */
  attempt: number;
  stopRequested: boolean;
  stopWaiters: Array<() => void>;
  timers: Timers;
}

export interface Workload {
  name: string;
  dir: string;
  spec: WorkloadSpec;
  desired: number;
  replicas: Map<string, Replica>;
  events: EventLog;
  removed: boolean;
  removal: Promise<void> | null;
  /** Replicas that could not start at all are tried again on the next reconcile. */
  retryFailed: boolean;
  reconciling: boolean;
  dirty: boolean;
  persistChain: Promise<void>;
  persistQueued: boolean;
}

export function replicaId(name: string, specHash: string, index: number): string {
  return `${name}-${specHash.slice(0, 6)}-${index}`;
}

/** A workload with no replicas yet, wanting `spec.replicas` of them, in `<stateDir>/<name>/`. */
export function newWorkload(stateDir: string, name: string, spec: WorkloadSpec, events: EventLog): Workload {
  return {
    name,
    dir: path.join(stateDir, name),
    spec,
    desired: spec.replicas,
    replicas: new Map(),
    events,
    removed: false,
    removal: null,
    retryFailed: false,
    reconciling: false,
    dirty: false,
    persistChain: Promise.resolve(),
    persistQueued: false,
  };
}

/** A replica that has never run: `starting`, no process, no port, its log next to the workload's state. */
export function newReplica(workload: Workload, spec: WorkloadSpec, id: string, index: number): Replica {
  return {
    id,
    index,
    spec,
    logFile: path.join(workload.dir, `${id}.log`),
    state: 'starting',
    pid: null,
    port: null,
    gpus: null,
    argv: [],
    token: null,
    startTime: null,
    child: null,
    startedAt: null,
    readyAt: null,
    restarts: 0,
    crashes: 0,
    lastExitCode: null,
    lastSignal: null,
    lastTerminationReason: null,
    reason: null,
    message: null,
    lastHealth: null,
    healthFailures: 0,
    attempt: 0,
    stopRequested: false,
    stopWaiters: [],
    timers: {},
  };
}

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** What both `state.json` and the status say of a replica. */
function replicaFacts(replica: Replica) {
  return {
    id: replica.id,
    index: replica.index,
    specHash: replica.spec.specHash,
    state: replica.state,
    pid: replica.pid,
    port: replica.port,
    gpus: replica.gpus,
    restarts: replica.restarts,
    lastExitCode: replica.lastExitCode,
    lastSignal: replica.lastSignal,
    lastTerminationReason: replica.lastTerminationReason,
    reason: replica.reason,
    message: replica.message,
    startedAt: isoOrNull(replica.startedAt),
    readyAt: isoOrNull(replica.readyAt),
  };
}

/** The workload as `state.json` keeps it: stopped replicas are left out, the specs of older replicas kept. */
export function toPersistedWorkload(workload: Workload): PersistedWorkload {
  const replicas = [...workload.replicas.values()].filter((replica) => replica.state !== 'stopped');
  const olderSpecs: Record<string, WorkloadSpec> = {};
  for (const replica of replicas) {
    if (replica.spec.specHash !== workload.spec.specHash) olderSpecs[replica.spec.specHash] = replica.spec;
  }
  return {
    version: 1,
    spec: workload.spec,
    olderSpecs,
    replicas: replicas.map(
      (replica): PersistedReplica => ({
        ...replicaFacts(replica),
        argv: replica.argv,
        token: replica.token,
        startTime: replica.startTime,
        crashes: replica.crashes,
      }),
    ),
    events: workload.events.all(),
  };
}

/** A replica as `status` shows it: never its token or argv. */
export function replicaStatus(replica: Replica): ReplicaStatus {
  return { ...replicaFacts(replica), ready: replica.state === 'ready' };
}

/** The workload's replicas by index (then id), or only the one named `only`. */
export function sortedReplicas(workload: Workload, only?: string): Replica[] {
  return [...workload.replicas.values()]
    .filter((replica) => only === undefined || replica.id === only)
    .sort((a, b) => a.index - b.index || a.id.localeCompare(b.id));
}
