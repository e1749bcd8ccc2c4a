// Starting and stopping the recipe's node and importing the test runtime image, for the vitest
// global setup. Every step is one of the recipe's scripts (scripts/k8snode/, run with bash: they
// may have no execute bit) or ctr, with its output kept in a log file under $K8SNODE_HOME.
import { spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NODE_HOST_IMAGE, REPO_ROOT, type KubeNodeLayout as Layout } from './kube-node-layout.js';
import { NODE_BINARIES } from './kube-node-plan.js';

const SCRIPTS = path.join(REPO_ROOT, 'scripts');

export function missingBinaries(layout: Layout): string[] {
  return NODE_BINARIES.filter((name) => {
    try {
      accessSync(path.join(layout.binDir, name), constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

/** Runs a command to its end, its output appended to logFile and returned; the exit code, or 'timeout'. */
function runLogged(
  command: string,
  args: string[],
  options: { logFile: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | 'timeout'; output: string }> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    log.write(`\n$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
      log.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      log.end();
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      log.end(() => resolve({ code: timedOut ? 'timeout' : (code ?? 1), output }));
    });
  });
}

/** The last lines of a log, for a reason that says what went wrong. */
export function tailOf(logFile: string, lines = 8): string {
  if (!existsSync(logFile)) return '';
  return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export const startLogFile = (layout: Layout) => path.join(layout.home, 'start-node.log');

/**
 * start-node.sh (≈ 45 s). When it fails after its preflight checks, stop-node.sh undoes what it
 * started; when the preflight itself failed (ports in use, already running) nothing was started —
 * and stop-node.sh must not run then: it removes every KUBE-* iptables chain and the k8snode0
 * bridge, which would break the node that holds the ports. Resolves to an error text or undefined.
 */
export async function startKubeNode(layout: Layout): Promise<string | undefined> {
  const logFile = startLogFile(layout);
  const { code, output } = await runLogged('bash', [path.join(SCRIPTS, 'k8snode', 'start-node.sh'), layout.binDir, layout.runDir, layout.imageDir], { logFile, timeoutMs: 240_000 });
  if (code === 0) return undefined;
  if (/\bpreflight ok\b/.test(output)) await stopKubeNode(layout);
  return `the node did not start (${code === 'timeout' ? 'not ready within 240 s' : `start-node.sh exited ${code}`}; ${logFile}):\n${tailOf(logFile)}`;
}

/** stop-node.sh --purge: stops what start-node.sh started and undoes its host changes. */
export async function stopKubeNode(layout: Layout): Promise<void> {
  await runLogged('bash', [path.join(SCRIPTS, 'k8snode', 'stop-node.sh'), layout.runDir, '--purge'], {
    logFile: path.join(layout.home, 'stop-node.log'),
    timeoutMs: 180_000,
    env: { BINDIR: layout.binDir },
  });
}

/** Builds (scripts/k8snode-runtime-image.sh) and imports NODE_HOST_IMAGE unless the node has it. Resolves to an error text or undefined. */
export async function ensureRuntimeImage(layout: Layout): Promise<string | undefined> {
  const logFile = path.join(layout.home, 'runtime-image.log');
  const ctr = ['-a', layout.containerdSocket, '-n', 'k8s.io', 'images'];
  const listed = await runLogged('ctr', [...ctr, 'ls', '-q'], { logFile, timeoutMs: 30_000 });
  if (listed.code === 0 && listed.output.split('\n').includes(NODE_HOST_IMAGE)) return undefined;
  const built = await runLogged('bash', [path.join(SCRIPTS, 'k8snode-runtime-image.sh'), layout.imageDir, layout.containerdSocket], { logFile, timeoutMs: 120_000 });
  return built.code === 0 ? undefined : `the test runtime image ${NODE_HOST_IMAGE} could not be built or imported (${logFile}):\n${tailOf(logFile)}`;
}
