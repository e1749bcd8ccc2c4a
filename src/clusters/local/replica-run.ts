import { mkdir } from 'node:fs/promises';
import type { RuntimeId } from '../../domain/optimization.js';
import { checkHostRuntimeEnv, describeEnvIssues, type RuntimeEnvDocs } from '../../domain/runtime-env-policy.js';
import { expandWorkloadTemplate, WORKLOAD_HOST_VAR, WORKLOAD_PORT_VAR, WORKLOAD_REASONS } from '../../domain/workload.js';
import { prepareReplicaHome, protectDataDir } from './data-dir-access.js';
import { LOCAL_HOST, type LocalDriverContext } from './driver-context.js';
import type { GpuAllocator } from './gpu-allocator.js';
import type { Replica, Workload } from './local-workload.js';
import { findFreePort } from './process-tools.js';
import { newReplicaToken, tokenEnvironment } from './replica-token.js';
import { resolveProgram, type SelfCommand } from './runtime-program.js';
import { replicaAccessProblems } from './runtime-user.js';
import { secretEnvironment, type ResolveSecret } from './secret-env.js';

/**
 * What one run of a replica starts with: the program and its arguments, the environment, the
 * working directory, its GPUs and port — or why it cannot start. Nothing here starts a process.
 */

export interface ReplicaRunDeps {
  ctx: LocalDriverContext;
  dataDir: string;
  /** The part of the server's environment runtimes inherit (`runtimeEnvironment`). */
  baseEnv: Readonly<Record<string, string>>;
  selfCommand: SelfCommand | null;
  binaryPaths: Readonly<Partial<Record<RuntimeId, string>>>;
  resolveSecret?: ResolveSecret;
  runtimeEnv?: (runtime: RuntimeId) => RuntimeEnvDocs | undefined;
  gpus: GpuAllocator;
}

export interface ReplicaRun {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  port: number;
}

export type PreparedRun = { ok: true; run: ReplicaRun } | { ok: false; reason: string; message: string };

/**
 * Why the spec's environment may not start (a loader hook, a variable H-MAS owns, one the runtime
 * does not document), or null. Synchronous: a refused replica fails before anything awaits.
 */
export function refusedEnvironment(deps: Pick<ReplicaRunDeps, 'runtimeEnv'>, replica: Replica): string | null {
  const docs = deps.runtimeEnv?.(replica.spec.runtime);
  // Variables the adapter renders from the address are in the spec too: only its users' are refused.
  const refused = checkHostRuntimeEnv([...Object.keys(replica.spec.env), ...Object.keys(replica.spec.secretEnv ?? {})], { displayName: replica.spec.runtime, env: docs ? { ...docs, reserved: [] } : null });
  return refused.length > 0 ? `Replica ${replica.id} was not started: ${describeEnvIssues(refused)}` : null;
}

/** Ports held by other replicas, which may be between runs. */
function usedPorts(ctx: LocalDriverContext, except: Replica): Set<number> {
  const ports = new Set<number>();
  for (const workload of ctx.workloads.values()) {
    for (const replica of workload.replicas.values()) if (replica !== except && replica.port !== null) ports.add(replica.port);
  }
  return ports;
}

/**
 * Prepares the replica's next run: sets its GPUs, port and token and makes its working
 * directory. Null as soon as `stale()` says the run is no longer wanted. Throws on an
 * unexpected failure (no free port, a directory that cannot be made).
 */
export async function prepareReplicaRun(deps: ReplicaRunDeps, workload: Workload, replica: Replica, stale: () => boolean): Promise<PreparedRun | null> {
  const { ctx, baseEnv } = deps;
  const runUser = ctx.runUser;
  const program = await resolveProgram(replica.spec, { selfCommand: deps.selfCommand, binaryPaths: deps.binaryPaths, pathVariable: baseEnv.PATH });
  if (stale()) return null;
  if (!program.ok) return { ok: false, reason: program.reason, message: program.message };
  if (runUser.switching) {
    const problems = await replicaAccessProblems(runUser, { file: program.file, args: program.args, modelPath: 'path' in replica.spec.model ? replica.spec.model.path : null });
    if (stale()) return null;
    if (problems.length > 0) return { ok: false, reason: WORKLOAD_REASONS.failedToStart, message: `Replica ${replica.id} cannot start: ${problems.join('; ')}. Make it readable by that user (HMAS_RUNTIME_USER).` };
  }

  const gpus = await deps.gpus.assign(replica);
  if (stale()) return null;
  if (!gpus.ok) return { ok: false, reason: WORKLOAD_REASONS.insufficientGpu, message: gpus.message };

  const port = await findFreePort(LOCAL_HOST, replica.port, usedPorts(ctx, replica));
  if (stale()) return null;
  replica.port = port;
  const vars = { [WORKLOAD_HOST_VAR]: LOCAL_HOST, [WORKLOAD_PORT_VAR]: String(port) };
  const args = [...program.args, ...replica.spec.command.args.map((arg) => expandWorkloadTemplate(arg, vars))];
  // The spec's variables first: what H-MAS sets (address, GPUs, home) always wins.
  const env: Record<string, string> = { ...baseEnv };
  for (const [name, value] of Object.entries(replica.spec.env)) env[name] = expandWorkloadTemplate(value, vars);
  const secrets = await secretEnvironment(replica.spec, deps.resolveSecret);
  if (stale()) return null;
  if (!secrets.ok) return { ok: false, reason: WORKLOAD_REASONS.configError, message: secrets.message };
  Object.assign(env, secrets.env, vars);
  if (replica.gpus !== null) {
    // CUDA numbers GPUs fastest-first unless told to use nvidia-smi's (PCI bus) order.
    env.CUDA_DEVICE_ORDER = 'PCI_BUS_ID';
    env.CUDA_VISIBLE_DEVICES = replica.gpus.join(',');
  }
  if (replica.spec.apiKeyEnv !== null) replica.token ??= newReplicaToken();
  Object.assign(env, tokenEnvironment(replica.spec, replica.token));

  await mkdir(workload.dir, { recursive: true, mode: 0o700 });
  let cwd = workload.dir;
  if (runUser.switching) {
    await protectDataDir(deps.dataDir, { traversable: true });
    cwd = await prepareReplicaHome(ctx.stateDir, workload.dir, runUser);
    Object.assign(env, { HOME: cwd, USER: runUser.name, LOGNAME: runUser.name });
  }
  return { ok: true, run: { file: program.file, args, env, cwd, port } };
}
