import { z } from 'zod';
import { dns1123LabelSchema } from './cluster.js';
import { RUNTIME_IDS, type Optimization, type OptimizationIssue, type RuntimeId } from './optimization.js';
import { resourceProfileSpecSchema } from './policies.js';
import { secretNameSchema } from './secret-ref.js';

/**
 * A workload: what one deployment runs on a cluster, in a form every `ClusterDriver` takes.
 * It is rendered by {@link renderWorkloadSpec} — a pure function of the deployment, the model,
 * the runtime adapter, the resource profile and the optimization — and is plain JSON, so it can
 * be stored, diffed, shown and sent to an agent.
 *
 * Where the runtime listens differs per driver (a fixed container port on Kubernetes, a free port
 * on 127.0.0.1 for each replica on a host), so the rendered arguments and environment refer to
 * it as `$(HMAS_RUNTIME_HOST)` and `$(HMAS_RUNTIME_PORT)`: Kubernetes' own `$(VAR)` syntax.
 * A Kubernetes manifest defines both variables first in the container's env and the kubelet
 * expands them; the local driver expands them itself with {@link expandWorkloadTemplate}.
 * Every other `$` in an argument is escaped as `$$`, so user-supplied text stays literal in both.
 */

/** The variable holding the address a replica binds to. */
export const WORKLOAD_HOST_VAR = 'HMAS_RUNTIME_HOST';
/** The variable holding the port a replica listens on. */
export const WORKLOAD_PORT_VAR = 'HMAS_RUNTIME_PORT';
/** A runtime command starting with this program is H-MAS itself (`hmas runtime llama …`). */
export const SELF_PROGRAM = 'hmas';

export const WORKLOAD_STRATEGIES = ['RollingUpdate', 'Recreate'] as const;
export type WorkloadStrategy = (typeof WORKLOAD_STRATEGIES)[number];

/** Kubernetes' default for a Deployment; big models may need it, tests use a few seconds. */
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
/** What one replica gets when the deployment names no resource profile. */
export const DEFAULT_WORKLOAD_RESOURCES = Object.freeze({ gpuCount: 0, cpu: '1', memory: '1Gi' });

// NUL cannot be passed to exec and line breaks corrupt manifests and logs.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000\r\n]/;
const argvEntry = z.string().max(16_384).refine((value) => !UNSAFE.test(value), 'Arguments must not contain NUL or line breaks.');
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envValue = z.string().max(16_384).refine((value) => !UNSAFE.test(value), 'Environment values must not contain NUL or line breaks.');

/**
 * The program a replica runs. `binary` is a program name looked up on PATH (or configured per
 * runtime), or an absolute path; `self` is the hmas CLI itself (`args` start with its subcommand).
 * Either way `args` are argv entries: nothing is ever joined into a shell line.
 */
export const workloadCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('binary'), binary: z.string().min(1).max(4096).refine((value) => !UNSAFE.test(value)), args: z.array(argvEntry) }).strict(),
  z.object({ type: z.literal('self'), args: z.array(argvEntry) }).strict(),
]);
export type WorkloadCommand = z.infer<typeof workloadCommandSchema>;

/** The weights: a path on the host (used in place), or a Hugging Face repo the runtime loads itself. */
export const workloadModelSchema = z.union([
  z.object({ name: z.string().min(1), path: z.string().min(1) }).strict(),
  z.object({ name: z.string().min(1), repo: z.string().min(1), revision: z.string().nullable(), file: z.string().nullable() }).strict(),
]);
export type WorkloadModel = z.infer<typeof workloadModelSchema>;

export const workloadResourcesSchema = resourceProfileSpecSchema.pick({ gpuCount: true, gpuType: true, gpuMemoryGiB: true, cpu: true, memory: true }).strict();
export type WorkloadResources = z.infer<typeof workloadResourcesSchema>;

export const workloadSpecSchema = z
  .object({
    /** The deployment's name (DNS-1123 label): the workload's name on the cluster. */
    name: dns1123LabelSchema,
    deploymentId: z.string().min(1).max(128),
    runtime: z.enum(RUNTIME_IDS),
    command: workloadCommandSchema,
    /** Extra environment of every replica; values may refer to `$(HMAS_RUNTIME_HOST)` / `$(HMAS_RUNTIME_PORT)`. */
    env: z.record(z.string().regex(ENV_NAME), envValue),
    /**
     * Variables whose values are named secrets: variable → secret name. Only the names are in the
     * spec (and its hash), so a rotation restarts nothing; drivers add the values when a replica
     * starts. Absent when there are none, so specs without secrets hash as before.
     */
    secretEnv: z.record(z.string().regex(ENV_NAME), secretNameSchema).optional(),
    /** The port the runtime listens on in a container; host drivers give each replica its own. */
    port: z.number().int().min(1).max(65_535),
    /** Answers 2xx once the replica serves. */
    healthPath: z.string().startsWith('/'),
    metricsPath: z.string().startsWith('/').nullable(),
    /** Prefix of the OpenAI-compatible API. */
    openaiBasePath: z.string().startsWith('/'),
    /** Model id the OpenAI API answers to (when the runtime can set one). */
    servedModelName: z.string().min(1),
    /**
     * The variable the runtime reads its API key from. Host drivers set a random token there per
     * replica that only the gateway knows; null = the runtime has no API key option (Ollama).
     * Missing in state saved before there were tokens: read as null.
     */
    apiKeyEnv: z.string().regex(ENV_NAME).nullable().default(null),
    replicas: z.number().int().min(0).max(1024),
    resources: workloadResourcesSchema,
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()),
    model: workloadModelSchema,
    strategy: z.enum(WORKLOAD_STRATEGIES),
    /** A replica not healthy this long after it started is reported ProgressDeadlineExceeded. */
    progressDeadlineSeconds: z.number().int().min(1).max(86_400),
    /** {@link workloadSpecHash}: of what runs, not of `replicas`, `strategy` or the deadline; equal hashes need no restart. */
    specHash: z.string().regex(/^[0-9a-f]{16}$/),
  })
  .strict();
export type WorkloadSpec = z.infer<typeof workloadSpecSchema>;

// ---------------------------------------------------------------------------------------------
// Rendering

/**
 * What `renderWorkloadSpec` needs of a runtime adapter. `RuntimeAdapter` (src/runtimes) has
 * this shape; the domain does not import it so the web UI can use this module.
 */
export interface WorkloadRuntime {
  id: RuntimeId;
  /** Program and leading arguments on a host; `hmas` first means H-MAS itself. */
  command: { host: readonly string[] };
  port: number;
  healthPath: string;
  metricsPath: string | null;
  openaiBasePath: string;
  /** Where the runtime reads its API key from (`env`); absent or `env: null` = it has none. */
  apiKey?: { env: string | null };
  render(
    optimization: Optimization,
    context: { model: string; port?: number; host?: string; servedModelName?: string },
  ): { args: string[]; env: Record<string, string>; secretEnv?: Record<string, string>; warnings: OptimizationIssue[] };
}

export interface WorkloadRenderInput {
  deployment: { id: string; name: string; replicas: number };
  model: { name: string; localPath?: string | null; hfRepoId?: string | null; revision?: string | null; hfFile?: string | null };
  runtime: WorkloadRuntime;
  /** The resource profile's spec; null = {@link DEFAULT_WORKLOAD_RESOURCES}. */
  resourceProfile?: WorkloadResources | null;
  optimization?: Optimization;
  /** Where the weights are on the host when the deployments service downloaded them; wins over `model.localPath`. */
  modelPath?: string;
  /** Model id the OpenAI API answers to; default: the deployment's name, so the gateway can pass bodies through. */
  servedModelName?: string;
  strategy?: WorkloadStrategy;
  progressDeadlineSeconds?: number;
}

export interface WorkloadRenderResult {
  spec: WorkloadSpec;
  /** The adapter's warnings (knobs the runtime does not have, repeated flags, …). */
  warnings: OptimizationIssue[];
}

// Two renders with different addresses tell which argv entries and variables carry the address:
// exactly those differ. The values are documentation ranges that appear in no real argument.
const PROBE_A = { host: '192.0.2.41', port: 40_961 };
const PROBE_B = { host: '198.51.100.73', port: 40_973 };

/** Escapes text so that {@link expandWorkloadTemplate} (and Kubernetes) give it back unchanged. */
export function escapeWorkloadTemplate(text: string): string {
  return text.split('$').join('$$');
}

/**
 * Kubernetes' expansion of `$(VAR)` in container args and env: `$$` becomes `$`, `$(NAME)` becomes
 * the variable's value when it is defined, and anything else stays as written.
 */
export function expandWorkloadTemplate(text: string, vars: Readonly<Record<string, string>>): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char !== '$' || i + 1 >= text.length) {
      out += char;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 1;
    } else if (next === '(') {
      const close = text.indexOf(')', i + 2);
      const name = close === -1 ? undefined : text.slice(i + 2, close);
      if (name !== undefined && Object.hasOwn(vars, name)) {
        out += vars[name];
        i = close;
      } else {
        out += char;
      }
    } else {
      out += char;
    }
  }
  return out;
}

function templateOf(a: string, b: string): string {
  if (a === b) return escapeWorkloadTemplate(a);
  const pieces = a.split(/(192\.0\.2\.41|40961)/);
  const template = pieces
    .map((piece) => (piece === PROBE_A.host ? `$(${WORKLOAD_HOST_VAR})` : piece === String(PROBE_A.port) ? `$(${WORKLOAD_PORT_VAR})` : escapeWorkloadTemplate(piece)))
    .join('');
  const check = (probe: typeof PROBE_A) => expandWorkloadTemplate(template, { [WORKLOAD_HOST_VAR]: probe.host, [WORKLOAD_PORT_VAR]: String(probe.port) });
  if (check(PROBE_A) !== a || check(PROBE_B) !== b) {
    throw new Error(`The runtime renders its address in a way H-MAS cannot template ("${a}").`);
  }
  return template;
}

function modelOf(input: WorkloadRenderInput): { location: string; model: WorkloadModel } {
  const path = input.modelPath ?? input.model.localPath ?? undefined;
  if (path) return { location: path, model: { name: input.model.name, path } };
  if (input.model.hfRepoId) {
    return {
      location: input.model.hfRepoId,
      model: { name: input.model.name, repo: input.model.hfRepoId, revision: input.model.revision ?? null, file: input.model.hfFile ?? null },
    };
  }
  throw new Error(`Model "${input.model.name}" has neither a local path nor a Hugging Face repo.`);
}

/** What one replica gets from a resource profile (the default without one). */
export function workloadResourcesOf(profile: WorkloadResources | null | undefined): WorkloadResources {
  if (!profile) return { ...DEFAULT_WORKLOAD_RESOURCES };
  return {
    gpuCount: profile.gpuCount,
    cpu: profile.cpu,
    memory: profile.memory,
    ...(profile.gpuType !== undefined ? { gpuType: profile.gpuType } : {}),
    ...(profile.gpuMemoryGiB !== undefined ? { gpuMemoryGiB: profile.gpuMemoryGiB } : {}),
  };
}

/**
 * Renders the workload of a deployment. Pure and deterministic: the same input gives the same
 * spec and `specHash`. Throws what the adapter throws for settings it refuses (ValidationError).
 */
export function renderWorkloadSpec(input: WorkloadRenderInput): WorkloadRenderResult {
  const { runtime, deployment } = input;
  const optimization = input.optimization ?? {};
  const servedModelName = input.servedModelName ?? deployment.name;
  const { location, model } = modelOf(input);
  const a = runtime.render(optimization, { model: location, servedModelName, host: PROBE_A.host, port: PROBE_A.port });
  const b = runtime.render(optimization, { model: location, servedModelName, host: PROBE_B.host, port: PROBE_B.port });
  if (a.args.length !== b.args.length || Object.keys(a.env).join('\n') !== Object.keys(b.env).join('\n')) {
    throw new Error(`Runtime ${runtime.id} renders a different command for another address.`);
  }
  const args = a.args.map((arg, index) => templateOf(arg, b.args[index] ?? ''));
  const env = Object.fromEntries(Object.entries(a.env).map(([name, value]) => [name, templateOf(value, b.env[name] ?? '')]));

  const [program, ...leading] = runtime.command.host;
  if (program === undefined) throw new Error(`Runtime ${runtime.id} has no host command.`);
  const command: WorkloadCommand =
    program === SELF_PROGRAM
      ? { type: 'self', args: [...leading.map(escapeWorkloadTemplate), ...args] }
      : { type: 'binary', binary: program, args: [...leading.map(escapeWorkloadTemplate), ...args] };

  const resources = workloadResourcesOf(input.resourceProfile);

  const withoutHash: Omit<WorkloadSpec, 'specHash'> = {
    name: deployment.name,
    deploymentId: deployment.id,
    runtime: runtime.id,
    command,
    env,
    ...(a.secretEnv && Object.keys(a.secretEnv).length > 0 ? { secretEnv: a.secretEnv } : {}),
    port: runtime.port,
    healthPath: runtime.healthPath,
    metricsPath: runtime.metricsPath,
    openaiBasePath: runtime.openaiBasePath,
    apiKeyEnv: runtime.apiKey?.env ?? null,
    servedModelName,
    replicas: deployment.replicas,
    resources,
    labels: {
      'app.kubernetes.io/name': deployment.name,
      'app.kubernetes.io/component': 'inference',
      'app.kubernetes.io/managed-by': 'hmas',
      'hmas.io/deployment': deployment.name,
      'hmas.io/runtime': runtime.id,
    },
    annotations: {
      'hmas.io/deployment': deployment.name,
      'hmas.io/deployment-id': deployment.id,
      'hmas.io/model': input.model.name,
      'prometheus.io/scrape': runtime.metricsPath ? 'true' : 'false',
      'prometheus.io/port': String(runtime.port),
      ...(runtime.metricsPath ? { 'prometheus.io/path': runtime.metricsPath } : {}),
    },
    model,
    strategy: input.strategy ?? 'RollingUpdate',
    progressDeadlineSeconds: input.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS,
  };
  // Hashed after parsing, so the hash is of exactly what drivers receive.
  const parsed = workloadSpecSchema.omit({ specHash: true }).parse(withoutHash);
  return { spec: { ...parsed, specHash: workloadSpecHash(parsed) }, warnings: a.warnings };
}

// ---------------------------------------------------------------------------------------------
// Spec hash

/** JSON with object keys sorted (and undefined members dropped), so equal values print alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/** FNV-1a, 64 bits, of the UTF-8 bytes: a change detector (not a security hash) that runs in browsers too. */
export function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * The hash of everything that makes a replica what it is: the spec without `specHash` itself and
 * without what only says how many replicas run and how they are replaced — `replicas`,
 * `strategy`, `progressDeadlineSeconds` (as a Kubernetes Deployment's pod template leaves them
 * out). Equal hashes: nothing restarts.
 */
export function workloadSpecHash(spec: Omit<WorkloadSpec, 'specHash'> | WorkloadSpec): string {
  const { replicas: _replicas, strategy: _strategy, progressDeadlineSeconds: _deadline, ...rest } = spec as WorkloadSpec;
  return fnv1a64(canonicalJson({ ...rest, specHash: undefined }));
}

// ---------------------------------------------------------------------------------------------
// Status, events and logs as drivers report them

/**
 * Where one replica is:
 * - `starting`: started, not yet healthy;
 * - `ready`: answering its health check; it receives traffic;
 * - `unready`: was ready, now fails its health check (not restarted, no traffic);
 * - `restarting`: exited, waiting for its back-off before the next start;
 * - `crashloop`: as `restarting`, after repeated crashes (reason CrashLoopBackOff);
 * - `failed`: cannot start (BinaryNotFound, CreateContainerConfigError, InsufficientGPU) or not healthy in time (ProgressDeadlineExceeded);
 * - `stopping` / `stopped`: being stopped on purpose.
 */
export const REPLICA_STATES = ['starting', 'ready', 'unready', 'restarting', 'crashloop', 'failed', 'stopping', 'stopped'] as const;
export type ReplicaState = (typeof REPLICA_STATES)[number];

/** Reasons drivers report, Kubernetes' names where Kubernetes has one. */
export const WORKLOAD_REASONS = {
  crashLoop: 'CrashLoopBackOff',
  oomKilled: 'OOMKilled',
  progressDeadline: 'ProgressDeadlineExceeded',
  binaryNotFound: 'BinaryNotFound',
  failedToStart: 'FailedToStart',
  /** A secret the environment refers to is missing (Kubernetes' name for it). */
  configError: 'CreateContainerConfigError',
  insufficientGpu: 'InsufficientGPU',
  error: 'Error',
  completed: 'Completed',
  unhealthy: 'Unhealthy',
} as const;
export type WorkloadReason = (typeof WORKLOAD_REASONS)[keyof typeof WORKLOAD_REASONS];

export const replicaStatusSchema = z.object({
  /** Stable for the replica's life (restarts keep it); a new spec gives new replicas new ids. */
  id: z.string(),
  index: z.number().int().min(0),
  specHash: z.string(),
  state: z.enum(REPLICA_STATES),
  ready: z.boolean(),
  /** Process id on a host; null on clusters that have none, or while not running. */
  pid: z.number().int().nullable(),
  port: z.number().int().nullable(),
  /** GPU indices the replica was given (CUDA_VISIBLE_DEVICES on a host); null when not pinned. */
  gpus: z.array(z.number().int().min(0)).nullable(),
  restarts: z.number().int().min(0),
  lastExitCode: z.number().int().nullable(),
  lastSignal: z.string().nullable(),
  /** Why the last run ended: OOMKilled, Error or Completed. */
  lastTerminationReason: z.string().nullable(),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  startedAt: z.string().nullable(),
  readyAt: z.string().nullable(),
});
export type ReplicaStatus = z.infer<typeof replicaStatusSchema>;

/**
 * - `Available`: every desired replica runs the current spec and is ready;
 * - `Progressing`: starting, updating or scaling, nothing failed yet;
 * - `Degraded`: some replicas serve, others failed;
 * - `Failed`: nothing serves and a replica failed (its reason is the workload's reason);
 * - `Stopped`: scaled to zero and no process left.
 */
export const WORKLOAD_PHASES = ['Progressing', 'Available', 'Degraded', 'Failed', 'Stopped'] as const;
export type WorkloadPhase = (typeof WORKLOAD_PHASES)[number];

export const workloadStatusSchema = z.object({
  name: z.string(),
  deploymentId: z.string(),
  /** The spec the driver is bringing about. */
  specHash: z.string(),
  phase: z.enum(WORKLOAD_PHASES),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  replicas: z.object({
    desired: z.number().int(),
    /** Replicas that exist (any state but stopped). */
    current: z.number().int(),
    ready: z.number().int(),
    available: z.number().int(),
    /** Replicas running the current spec. */
    updated: z.number().int(),
  }),
  replicaStatuses: z.array(replicaStatusSchema),
  observedAt: z.string(),
});
export type WorkloadStatus = z.infer<typeof workloadStatusSchema>;

// Failure reasons by how much they say: a missing program explains everything after it.
const REASON_PRIORITY: readonly string[] = [
  WORKLOAD_REASONS.binaryNotFound,
  WORKLOAD_REASONS.configError,
  WORKLOAD_REASONS.insufficientGpu,
  WORKLOAD_REASONS.failedToStart,
  WORKLOAD_REASONS.oomKilled,
  WORKLOAD_REASONS.crashLoop,
  WORKLOAD_REASONS.progressDeadline,
  WORKLOAD_REASONS.error,
  WORKLOAD_REASONS.completed,
  WORKLOAD_REASONS.unhealthy,
];

/** Phase, reason and counts of a workload from its replicas. Pure. */
export function summarizeWorkload(
  desired: number,
  specHash: string,
  replicas: readonly ReplicaStatus[],
): Pick<WorkloadStatus, 'phase' | 'reason' | 'message' | 'replicas'> {
  const live = replicas.filter((replica) => replica.state !== 'stopped');
  const ready = live.filter((replica) => replica.ready);
  const updated = live.filter((replica) => replica.specHash === specHash && replica.state !== 'stopping');
  const readyUpdated = updated.filter((replica) => replica.ready);
  const outdated = live.filter((replica) => replica.specHash !== specHash);
  const failing = live.filter((replica) => replica.state === 'crashloop' || replica.state === 'failed');
  const counts = { desired, current: live.length, ready: ready.length, available: ready.length, updated: updated.length };

  // OOMKilled is reported over CrashLoopBackOff where it caused the loop: it says why.
  const reasonOf = (replica: ReplicaStatus) =>
    replica.reason === WORKLOAD_REASONS.crashLoop && replica.lastTerminationReason === WORKLOAD_REASONS.oomKilled ? WORKLOAD_REASONS.oomKilled : replica.reason;
  const explained = live
    .filter((replica) => !replica.ready && replica.state !== 'stopping' && replica.reason !== null)
    .sort((x, y) => rank(reasonOf(x)) - rank(reasonOf(y)));
  const first = explained[0];
  const reason = first ? reasonOf(first) : null;
  const message = first ? `${first.id}: ${first.message ?? first.reason}` : null;

  let phase: WorkloadPhase;
  if (desired === 0 && live.length === 0) phase = 'Stopped';
  else if (desired > 0 && readyUpdated.length >= desired && outdated.length === 0 && failing.length === 0) phase = 'Available';
  else if (failing.length > 0) phase = ready.length > 0 ? 'Degraded' : 'Failed';
  else phase = 'Progressing';
  return { phase, reason: phase === 'Available' || phase === 'Stopped' ? null : reason, message: phase === 'Available' || phase === 'Stopped' ? null : message, replicas: counts };
}

function rank(reason: string | null): number {
  const index = reason === null ? -1 : REASON_PRIORITY.indexOf(reason);
  return index === -1 ? REASON_PRIORITY.length : index;
}

export const EVENT_TYPES = ['Normal', 'Warning'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A Kubernetes-style event; repeats of the same (object, type, reason, message) raise `count`. */
export const workloadEventSchema = z.object({
  type: z.enum(EVENT_TYPES),
  reason: z.string(),
  message: z.string(),
  count: z.number().int().min(1),
  firstTimestamp: z.string(),
  lastTimestamp: z.string(),
  involvedObject: z.object({ kind: z.enum(['Workload', 'Replica']), name: z.string() }),
});
export type WorkloadEvent = z.infer<typeof workloadEventSchema>;

/** The last lines of one replica's output. */
export const replicaLogsSchema = z.object({ replica: z.string(), lines: z.array(z.string()) });
export type ReplicaLogs = z.infer<typeof replicaLogsSchema>;

export interface LogLine {
  replica: string;
  line: string;
}

/** Where inference traffic for one ready replica goes. */
export const workloadEndpointSchema = z.object({
  replica: z.string(),
  /** Base URL of the OpenAI-compatible API (`…/v1`): append `/chat/completions`. */
  url: z.string(),
  /** Scheme, host and port: health and metrics paths are relative to it. */
  origin: z.string(),
  /**
   * true when the origin spreads requests over several replicas (a Kubernetes Service): good for
   * traffic, not for one replica's metrics (Prometheus discovery leaves it out). Absent: one replica.
   */
  balanced: z.literal(true).optional(),
});
export type WorkloadEndpoint = z.infer<typeof workloadEndpointSchema>;
