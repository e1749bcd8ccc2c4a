import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

/**
 * Small operating-system helpers of the local driver: finding programs, telling whether a pid is
 * still the process H-MAS started, signalling process groups, free ports and health checks.
 */

/** Whether a process with this pid exists (a process of another user counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Sends a signal to the process group the replica leads (it was spawned detached, so its pid is
 * the group id): helpers it started (vLLM's workers) get it too. Falls back to the process alone.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * The absolute path of a program: a path is checked as it is, a bare name is looked up in the
 * directories of `pathVariable` (PATH). Null when there is no such executable file.
 */
export async function findExecutable(program: string, pathVariable: string | undefined): Promise<string | null> {
  if (program.includes('/')) {
    const file = path.resolve(program);
    return (await isExecutableFile(file)) ? file : null;
  }
  for (const dir of (pathVariable ?? '').split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const file = path.join(dir, program);
    if (await isExecutableFile(file)) return file;
  }
  return null;
}

/** State (field 3) and start time in clock ticks since boot (field 22) of /proc/PID/stat. */
export function parseProcStat(text: string): { state: string; startTime: string } | null {
  // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
  const close = text.lastIndexOf(')');
  if (close === -1) return null;
  const fields = text.slice(close + 1).trim().split(/\s+/);
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const [state, start] = [fields[0], fields[19]];
  return state !== undefined && start !== undefined && /^[0-9]+$/.test(start) ? { state, startTime: start } : null;
}

/**
 * Whether the process runs: it exists and is not a zombie (exited, not yet reaped by its
 * parent — a replica started by an earlier server in the same process tree can be one).
 */
export async function isRunning(pid: number, procRoot = '/proc'): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const text = await readFile(path.join(procRoot, String(pid), 'stat'), 'utf8').catch(() => null);
  return text === null ? isAlive(pid) : parseProcStat(text)?.state !== 'Z';
}

/** What identifies a running process beyond its pid (pids are reused). Null fields where /proc cannot say. */
export interface ProcessIdentity {
  cmdline: string[] | null;
  startTime: string | null;
}

export async function readProcessIdentity(pid: number, procRoot = '/proc'): Promise<ProcessIdentity> {
  const [cmdline, statText] = await Promise.all([
    readFile(path.join(procRoot, String(pid), 'cmdline')).catch(() => null),
    readFile(path.join(procRoot, String(pid), 'stat'), 'utf8').catch(() => null),
  ]);
  return {
    cmdline: cmdline && cmdline.length > 0 ? cmdline.toString('utf8').replace(/\0$/, '').split('\0') : null,
    startTime: statText ? (parseProcStat(statText)?.startTime ?? null) : null,
  };
}

/**
 * Whether a running process is the one recorded: same start time (robust even when the program
 * rewrote its title), or the same command line. `unknown` where /proc is not available.
 */
export function sameProcess(recorded: { argv: readonly string[]; startTime: string | null }, found: ProcessIdentity): 'yes' | 'no' | 'unknown' {
  if (found.cmdline === null && found.startTime === null) return 'unknown';
  if (recorded.startTime !== null && found.startTime !== null) return recorded.startTime === found.startTime ? 'yes' : 'no';
  if (found.cmdline !== null) return found.cmdline.length === recorded.argv.length && found.cmdline.every((arg, i) => arg === recorded.argv[i]) ? 'yes' : 'no';
  return 'unknown';
}

function tryListen(port: number, host: string): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A port free on `host` right now: `preferred` when it still is (a restarted replica keeps its
 * port), otherwise one the system picks. Ports in `taken` (held by other replicas that may be
 * between runs) are never handed out. There is a window between this check and the runtime
 * binding; a runtime that loses it exits and is restarted on another port.
 */
export async function findFreePort(host: string, preferred: number | null, taken: ReadonlySet<number>): Promise<number> {
  if (preferred !== null && !taken.has(preferred)) {
    const port = await tryListen(preferred, host);
    if (port !== null) return port;
  }
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await tryListen(0, host);
    if (port !== null && !taken.has(port)) return port;
  }
  throw new Error(`No free port on ${host}.`);
}

/** One health check: a GET that must answer 2xx within the timeout. Never rejects. */
export function checkHealth(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      resolve({ ok, detail });
    };
    const request = http.get(url, { agent: false, timeout: timeoutMs, headers: { ...headers, connection: 'close' } }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      done(status >= 200 && status < 300, `HTTP ${status}`);
    });
    request.on('timeout', () => {
      request.destroy();
      done(false, `no answer within ${timeoutMs} ms`);
    });
    request.on('error', (error: NodeJS.ErrnoException) => done(false, error.code ?? error.message));
  });
}

// What a runtime may inherit from the server's environment: where programs, libraries, caches,
// GPUs and proxies are. Never the server's own settings and secrets (HMAS_*, DATABASE_URL,
// HF_TOKEN …): a deployment that needs a token gets it in its own spec.
const INHERITED = [
  /^PATH$/,
  /^HOME$/,
  /^USER$/,
  /^LOGNAME$/,
  /^LANG$/,
  /^LANGUAGE$/,
  /^LC_[A-Z]+$/,
  /^TZ$/,
  /^TMPDIR$/,
  /^LD_LIBRARY_PATH$/,
  /^CUDA_[A-Z_]+$/,
  /^NVIDIA_[A-Z_]+$/,
  /^ROCR_VISIBLE_DEVICES$/,
  /^HIP_VISIBLE_DEVICES$/,
  /^HF_HOME$/,
  /^HF_HUB_CACHE$/,
  /^HF_HUB_OFFLINE$/,
  /^XDG_CACHE_HOME$/,
  /^(HTTP|HTTPS|NO)_PROXY$/i,
  /^SSL_CERT_(FILE|DIR)$/,
  /^NODE_EXTRA_CA_CERTS$/,
  /^VIRTUAL_ENV$/,
  /^CONDA_PREFIX$/,
];

/** The part of an environment runtimes inherit (see the list above). */
export function runtimeEnvironment(source: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && INHERITED.some((pattern) => pattern.test(name))) env[name] = value;
  }
  return env;
}
