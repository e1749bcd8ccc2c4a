import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { REPLICA_STATES, workloadEventSchema, workloadSpecSchema } from '../../domain/workload.js';

/**
 * What the local driver keeps of one workload on disk, so a restarted server finds its replicas
 * again: `<stateDir>/<name>/state.json`, next to the replicas' log files.
 */
export const persistedReplicaSchema = z.object({
  id: z.string(),
  index: z.number().int().min(0),
  specHash: z.string(),
  state: z.enum(REPLICA_STATES),
  pid: z.number().int().nullable(),
  port: z.number().int().nullable(),
  gpus: z.array(z.number().int().min(0)).nullable().default(null),
  /** The argv the process was started with (program first), to recognise it. */
  argv: z.array(z.string()),
  /** The replica's API key (replica-token.ts): kept so a restarted server still reaches it. Null before there were tokens. */
  token: z.string().nullable().default(null),
  /** Its start time from /proc, to recognise it even if it rewrote its command line. */
  startTime: z.string().nullable(),
  startedAt: z.string().nullable(),
  readyAt: z.string().nullable(),
  restarts: z.number().int().min(0),
  crashes: z.number().int().min(0),
  lastExitCode: z.number().int().nullable(),
  lastSignal: z.string().nullable(),
  lastTerminationReason: z.string().nullable(),
  reason: z.string().nullable(),
  message: z.string().nullable(),
});
export type PersistedReplica = z.infer<typeof persistedReplicaSchema>;

export const persistedWorkloadSchema = z.object({
  version: z.literal(1),
  spec: workloadSpecSchema,
  /** Specs of replicas left from an earlier spec (a rolling update in progress), by hash. */
  olderSpecs: z.record(z.string(), workloadSpecSchema),
  replicas: z.array(persistedReplicaSchema),
  events: z.array(workloadEventSchema),
});
export type PersistedWorkload = z.infer<typeof persistedWorkloadSchema>;

export const STATE_FILE = 'state.json';

/** Writes JSON under a temporary name, then renames it into place: readers see the old or the new file, never half of one. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

export interface LoadedWorkload {
  name: string;
  state: PersistedWorkload | null;
  /** Why the state could not be read (unreadable JSON, unknown shape). */
  problem?: string;
}

/** Every workload directory under `stateDir` with its state. */
export async function loadWorkloadStates(stateDir: string): Promise<LoadedWorkload[]> {
  let names: string[];
  try {
    names = (await readdir(stateDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const loaded: LoadedWorkload[] = [];
  for (const name of names.sort()) {
    let text: string;
    try {
      text = await readFile(path.join(stateDir, name, STATE_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      loaded.push({ name, state: null, problem: (error as Error).message });
      continue;
    }
    try {
      const parsed = persistedWorkloadSchema.safeParse(JSON.parse(text));
      loaded.push(parsed.success ? { name, state: parsed.data } : { name, state: null, problem: parsed.error.issues[0]?.message ?? 'unknown shape' });
    } catch (error) {
      loaded.push({ name, state: null, problem: (error as Error).message });
    }
  }
  return loaded;
}

export async function removeWorkloadDir(stateDir: string, name: string): Promise<void> {
  // A replica start that was already past its last check may still create a file in it: retry
  // (Node's rm retries the whole removal on ENOTEMPTY).
  await rm(path.join(stateDir, name), { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}
