// A stand-in for a serving runtime process (vllm, llama-server, `hmas runtime llama`): a tiny
// HTTP server on --port answering GET /health and GET /v1/models, told by its arguments how to
// misbehave. The local driver runs it exactly as it runs a real program (spawn, argv, ports,
// health checks, signals), so the driver's tests exercise the real code path.
//
// This file is both the script and its helpers. The script part uses Node's built-ins only:
// `fakeRuntimeProgram()` turns this file into plain JavaScript once (TypeScript's transpiler),
// so each replica starts in a fraction of the time tsx would take on a busy two-core machine.
//
// Arguments (all optional but --port):
//   --port N                 listen on 127.0.0.1:N (or --host)
//   --healthy-after-ms N     /health answers 503 until N ms after start (default 0)
//   --never-healthy          /health always answers 503
//   --unhealthy-while FILE   /health answers 503 while FILE exists
//   --crash-after-ms N       exit with --exit-code (default 1) after N ms
//   --sigkill-after-ms N     kill itself with SIGKILL after N ms (what the kernel's OOM killer does)
//   --print-lines N          print N numbered lines at start (stdout, every third on stderr)
//   --print-every-ms N       print a numbered line every N ms
//   --ignore-sigterm         stay up on SIGTERM (only SIGKILL stops it)
//   --model NAME             the model id /v1/models lists
// Every other argument is ignored, so specs can differ by arguments the fake does not know.
// With an API key in its environment (FAKE_RUNTIME_API_KEY, or the variable a real runtime reads:
// LLAMA_API_KEY, VLLM_API_KEY, API_KEY, HMAS_RUNTIME_API_KEY) every route, /health included,
// answers 401 without `Authorization: Bearer <key>` — the strictest a runtime may be.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Optimization } from '../../src/domain/optimization.js';
import type { WorkloadRuntime } from '../../src/domain/workload.js';

export interface FakeBehaviour {
  healthyAfterMs?: number;
  neverHealthy?: boolean;
  /** /health answers 503 while this file exists. */
  unhealthyWhile?: string;
  crashAfterMs?: number;
  exitCode?: number;
  sigkillAfterMs?: number;
  printLines?: number;
  printEveryMs?: number;
  ignoreSigterm?: boolean;
}

/** The behaviour as the fake's command-line arguments. */
export function fakeRuntimeArgs(behaviour: FakeBehaviour): string[] {
  const args: string[] = [];
  if (behaviour.healthyAfterMs !== undefined) args.push('--healthy-after-ms', String(behaviour.healthyAfterMs));
  if (behaviour.neverHealthy) args.push('--never-healthy');
  if (behaviour.unhealthyWhile !== undefined) args.push('--unhealthy-while', behaviour.unhealthyWhile);
  if (behaviour.crashAfterMs !== undefined) args.push('--crash-after-ms', String(behaviour.crashAfterMs));
  if (behaviour.exitCode !== undefined) args.push('--exit-code', String(behaviour.exitCode));
  if (behaviour.sigkillAfterMs !== undefined) args.push('--sigkill-after-ms', String(behaviour.sigkillAfterMs));
  if (behaviour.printLines !== undefined) args.push('--print-lines', String(behaviour.printLines));
  if (behaviour.printEveryMs !== undefined) args.push('--print-every-ms', String(behaviour.printEveryMs));
  if (behaviour.ignoreSigterm) args.push('--ignore-sigterm');
  return args;
}

let compiled: Promise<string> | undefined;

/** The fake as a plain JavaScript file to run with `process.execPath`. */
export function fakeRuntimeProgram(): Promise<string> {
  compiled ??= (async () => {
    const sourceFile = fileURLToPath(import.meta.url);
    const source = readFileSync(sourceFile, 'utf8');
    const { default: ts } = await import('typescript');
    const output = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const dir = path.join(tmpdir(), 'hmas-fake-runtime');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `fake-runtime-${createHash('sha256').update(output).digest('hex').slice(0, 12)}.mjs`);
    // Several test workers may write it at once: each writes its own file and renames it into place.
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, output);
    await rename(temporary, file);
    return file;
  })();
  return compiled;
}

/**
 * A runtime adapter for the fake, shaped like the real ones (`renderWorkloadSpec` takes it):
 * `command.host` is `[process.execPath, script]` (`binary` replaces the program, e.g. a name to
 * look up on PATH), or `['hmas']` for the `self` path — and `render` puts the address and the
 * behaviour into args. `raw.extraArgs` and `raw.extraEnv` pass through, as in the real
 * adapters, so a test can change the spec.
 */
export function fakeRuntime(program: string, behaviour: FakeBehaviour, options: { self?: boolean; binary?: string; apiKeyEnv?: string } = {}): WorkloadRuntime {
  return {
    id: 'llamacpp',
    ...(options.apiKeyEnv ? { apiKey: { env: options.apiKeyEnv } } : {}),
    command: { host: options.self ? ['hmas'] : [options.binary ?? process.execPath, program] },
    port: 8080,
    healthPath: '/health',
    metricsPath: null,
    openaiBasePath: '/v1',
    render(optimization: Optimization, context) {
      // As the real adapters: variables from secrets are references, never values.
      const extraEnv: Record<string, string> = {};
      const secretEnv: Record<string, string> = {};
      for (const [name, value] of Object.entries(optimization.raw?.extraEnv ?? {})) {
        if (typeof value === 'string') extraEnv[name] = value;
        else secretEnv[name] = value.secretRef;
      }
      return {
        args: [
          '--host',
          context.host ?? '0.0.0.0',
          '--port',
          String(context.port ?? 8080),
          '--model',
          context.servedModelName ?? context.model,
          ...fakeRuntimeArgs(behaviour),
          ...(optimization.raw?.extraArgs ?? []),
        ],
        env: { FAKE_RUNTIME_LISTEN: `${context.host ?? '0.0.0.0'}:${context.port ?? 8080}`, ...extraEnv },
        ...(Object.keys(secretEnv).length > 0 ? { secretEnv } : {}),
        warnings: [],
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The script

const API_KEY_VARIABLES = ['FAKE_RUNTIME_API_KEY', 'LLAMA_API_KEY', 'VLLM_API_KEY', 'API_KEY', 'HMAS_RUNTIME_API_KEY'];

function main(argv: string[]): void {
  const option = (name: string) => {
    const at = argv.indexOf(name);
    return at === -1 ? undefined : argv[at + 1];
  };
  const number = (name: string) => {
    const value = option(name);
    return value === undefined ? undefined : Number(value);
  };
  const port = number('--port');
  if (port === undefined || !Number.isInteger(port)) {
    process.stderr.write('fake-runtime: --port is required\n');
    process.exit(2);
  }
  const host = option('--host') ?? '127.0.0.1';
  const model = option('--model') ?? 'fake-model';
  const startedAt = Date.now();
  const healthyAfter = number('--healthy-after-ms') ?? 0;
  const neverHealthy = argv.includes('--never-healthy');
  const unhealthyWhile = option('--unhealthy-while');
  let printed = 0;
  const print = () => {
    printed += 1;
    const line = `fake-runtime line ${printed}\n`;
    if (printed % 3 === 0) process.stderr.write(line);
    else process.stdout.write(line);
  };

  const apiKey = API_KEY_VARIABLES.map((name) => process.env[name]).find((value) => value !== undefined && value !== '');
  const server = http.createServer((request, response) => {
    const url = request.url ?? '/';
    if (apiKey !== undefined && request.headers.authorization !== `Bearer ${apiKey}`) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 401, message: 'Invalid API Key', type: 'authentication_error' } }));
    } else if (url === '/health') {
      const healthy = !neverHealthy && Date.now() - startedAt >= healthyAfter && !(unhealthyWhile !== undefined && existsSync(unhealthyWhile));
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify(healthy ? { status: 'ok' } : { error: { code: 503, message: 'Loading model' } }));
    } else if (url === '/v1/models') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ object: 'list', data: [{ id: model, object: 'model', owned_by: 'fake' }] }));
    } else {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'not found' } }));
    }
  });
  server.on('error', (error) => {
    process.stderr.write(`fake-runtime: ${error.message}\n`);
    process.exit(3);
  });
  server.listen(port, host, () => {
    process.stdout.write(`fake-runtime listening on ${host}:${port} (pid ${process.pid}, FAKE_RUNTIME_LISTEN=${process.env.FAKE_RUNTIME_LISTEN ?? ''})\n`);
    for (let i = 0; i < (number('--print-lines') ?? 0); i += 1) print();
  });

  const every = number('--print-every-ms');
  if (every !== undefined) setInterval(print, every);
  const crashAfter = number('--crash-after-ms');
  if (crashAfter !== undefined) {
    setTimeout(() => {
      process.stderr.write('fake-runtime: crashing as told\n');
      process.exit(number('--exit-code') ?? 1);
    }, crashAfter);
  }
  const killAfter = number('--sigkill-after-ms');
  if (killAfter !== undefined) setTimeout(() => process.kill(process.pid, 'SIGKILL'), killAfter);
  process.on('SIGTERM', () => {
    if (argv.includes('--ignore-sigterm')) {
      process.stdout.write('fake-runtime: ignoring SIGTERM\n');
      return;
    }
    server.close();
    process.exit(0);
  });
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) main(process.argv.slice(2));
