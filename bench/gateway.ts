// Inference gateway benchmark: a minimal upstream that answers at once, called directly and
// through H-MAS (auth by API key, rate limiting, request log and metrics on), at several
// concurrencies. Three processes: the upstream, H-MAS, and this one generating load.
//
//   npm run bench:gateway [-- --duration 5 --concurrency 1,64,256 --chunks 20 --log-level info]
//
// H-MAS uses in-memory PGlite, or PostgreSQL when BENCH_DATABASE_URL is set (a database is
// created and dropped for the run). Results: bench/README.md.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { Pool } from 'undici';

const SELF = fileURLToPath(import.meta.url);
const USAGE = { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 };

type Message = { ready: true; url: string; key?: string } | { cpu: number };

/** Answers the load generator's CPU-time questions (user + system µs of this process). */
function answerCpuQuestions(): void {
  process.on('message', (message: { cpu?: true }) => {
    if (message.cpu) {
      const usage = process.cpuUsage();
      process.send!({ cpu: usage.user + usage.system } satisfies Message);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Role: upstream — answers /v1/chat/completions at once (JSON, or SSE of N chunks).

function runUpstream(chunks: number): void {
  const answer = JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 0,
    model: 'bench',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the benchmark upstream.' }, finish_reason: 'stop' }],
    usage: USAGE,
  });
  const piece = (withUsage: boolean) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta: { content: 'word ' }, finish_reason: null }], ...(withUsage ? { usage: null } : {}) })}\n\n`;
  const usageChunk = `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [], usage: USAGE })}\n\n`;
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString();
      if (!body.includes('"stream":true')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
        res.end(answer);
        return;
      }
      const withUsage = body.includes('"include_usage":true');
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (let i = 0; i < chunks; i += 1) res.write(piece(withUsage));
      if (withUsage) res.write(usageChunk);
      res.end('data: [DONE]\n\n');
    });
  });
  server.keepAliveTimeout = 60_000;
  answerCpuQuestions();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send!({ ready: true, url: `http://127.0.0.1:${port}/v1` } satisfies Message);
  });
}

// ---------------------------------------------------------------------------------------------
// Role: bare — the least a Node proxy does (http server + undici, no auth, limits, logs or
// metrics): what this machine allows any proxy written in Node, for comparison.

async function runBare(upstreamUrl: string): Promise<void> {
  const { Agent } = await import('undici');
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const origin = new URL(upstreamUrl).origin;
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      agent.dispatch(
        { origin, path: req.url ?? '/', method: 'POST', headers: ['content-type', 'application/json'], body: Buffer.concat(parts) },
        {
          onConnect() {},
          onError(error) {
            res.writeHead(502);
            res.end(String(error));
          },
          onHeaders(status, raw) {
            const headers: string[] = [];
            for (let i = 0; i < raw.length; i += 2) {
              const name = raw[i]!.toString('latin1').toLowerCase();
              if (name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding') headers.push(name, raw[i + 1]!.toString('latin1'));
            }
            res.writeHead(status, headers);
            return true;
          },
          onData: (chunk) => res.write(chunk),
          onComplete: () => res.end(),
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  answerCpuQuestions();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send!({ ready: true, url: `http://127.0.0.1:${port}` } satisfies Message);
  });
}

// ---------------------------------------------------------------------------------------------
// Role: hmas — the whole server (no background loops), one deployment pointing at the upstream.

async function runHmas(upstreamUrl: string, logLevel: string): Promise<void> {
  const { loadConfig } = await import('../src/config/config.js');
  const { openDatabase } = await import('../src/db/client.js');
  const { migrate } = await import('../src/db/migrate.js');
  const { clusters, deployments } = await import('../src/db/schema/index.js');
  const { createLogger } = await import('../src/lib/logger.js');
  const { composeServer } = await import('../src/main/compose.js');
  const { writeTinyModel } = await import('../test/support/tiny-model.js');

  const dir = await mkdtemp(path.join(tmpdir(), 'hmas-bench-'));
  const password = 'bench-admin-password';
  const config = loadConfig({
    HMAS_DATA_DIR: dir,
    HMAS_ADMIN_PASSWORD: password,
    HMAS_LOG_LEVEL: logLevel,
    HMAS_LOG_PRETTY: 'false',
    HMAS_RATE_LIMIT_RPM: '100000000',
    HMAS_RATE_LIMIT_TPM: '1000000000',
  });
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  let dropDatabase = async () => {};
  let database;
  if (databaseUrl) {
    const name = `hmas_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    database = await openDatabase({ kind: 'postgres', url: url.toString() });
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  } else {
    database = await openDatabase({ kind: 'pglite' });
  }
  await migrate(database);
  const composed = await composeServer(config, database, createLogger({ level: logLevel, pretty: false }));
  const { app } = composed;
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password } });
  const headers = { authorization: `Bearer ${login.json<{ accessToken: string }>().accessToken}` };
  await writeTinyModel(path.join(dir, 'bench.gguf'));
  const model = await app.inject({ method: 'POST', url: '/api/models', headers, payload: { localPath: path.join(dir, 'bench.gguf'), name: 'bench-model' } });
  const [local] = await database.db.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, 'local'));
  await database.db.insert(deployments).values({
    id: randomUUID(),
    name: 'bench',
    modelId: model.json<{ id: string }>().id,
    clusterId: local!.id,
    runtime: 'vllm',
    replicas: 1,
    status: 'running',
    readyReplicas: 1,
    endpoints: [upstreamUrl],
  });
  const key = (await app.inject({ method: 'POST', url: '/api/api-keys', headers, payload: { name: 'bench' } })).json<{ key: string }>().key;
  await app.listen({ host: '127.0.0.1', port: 0 });
  answerCpuQuestions();
  const { port } = app.server.address() as AddressInfo;
  process.send!({ ready: true, url: `http://127.0.0.1:${port}`, key } satisfies Message);
  process.on('SIGTERM', () => {
    void (async () => {
      await app.close();
      await composed.close();
      await database.close();
      await dropDatabase();
      await rm(dir, { recursive: true, force: true });
      process.exit(0);
    })();
  });
}

// ---------------------------------------------------------------------------------------------
// Role: main — load generator.

export interface Result {
  /** CPU µs per request of the process that answered (the upstream, or H-MAS). */
  cpuPerRequest: number;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  overheadP50: number | null;
  overheadP99: number | null;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: Message) => {
      if ('cpu' in message) {
        child.off('message', onMessage);
        resolve(message.cpu);
      }
    };
    child.on('message', onMessage);
    child.send({ cpu: true });
  });
}

/** Runs C closed-loop workers against `base`; `cpu` reads the answering process's CPU µs. */
export async function load(
  cpu: () => Promise<number>,
  base: string,
  requestPath: string,
  body: string,
  headers: Record<string, string>,
  concurrency: number,
  durationMs: number,
  warmupMs: number,
): Promise<Result> {
  const pool = new Pool(base, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const latencies: number[] = [];
  const overheads: number[] = [];
  let errors = 0;
  let measuring = false;
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        const response = await pool.request({ path: requestPath, method: 'POST', headers, body });
        await response.body.text();
        if (!measuring) continue;
        if (response.statusCode !== 200) errors += 1;
        latencies.push(performance.now() - started);
        const overhead = response.headers['x-hmas-overhead-ms'];
        if (typeof overhead === 'string') overheads.push(Number(overhead));
      } catch {
        if (measuring) errors += 1;
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  const cpuBefore = await cpu();
  measuring = true;
  const from = performance.now();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  measuring = false;
  const elapsed = performance.now() - from;
  const cpuAfter = await cpu();
  stopped = true;
  await Promise.all(workers);
  await pool.close();
  const sorted = Float64Array.from(latencies).sort();
  const sortedOverheads = Float64Array.from(overheads).sort();
  return {
    cpuPerRequest: (cpuAfter - cpuBefore) / Math.max(1, latencies.length),
    requests: latencies.length,
    errors,
    rps: latencies.length / (elapsed / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    overheadP50: overheads.length ? percentile(sortedOverheads, 50) : null,
    overheadP99: overheads.length ? percentile(sortedOverheads, 99) : null,
  };
}

export function start(role: string, args: string[]): Promise<{ child: ChildProcess; message: Message }> {
  // BENCH_PROFILE=DIR writes a CPU profile of the H-MAS process there (open it in Chrome DevTools).
  const profile = role === 'hmas' && process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : role === 'hmas' && process.env.BENCH_PERF ? ['--perf-basic-prof'] : [];
  const child = fork(SELF, [role, ...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: ['--import', 'tsx', ...profile] });
  return new Promise((resolve, reject) => {
    child.once('message', (message: Message) => {
      if ('ready' in message) resolve({ child, message });
    });
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code} before it was ready`)));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '1,64,256' },
      chunks: { type: 'string', default: '20' },
      'log-level': { type: 'string', default: 'info' },
      modes: { type: 'string', default: 'json,stream' },
    },
  });
  const durationMs = Number(values.duration) * 1000;
  const warmupMs = Number(values.warmup) * 1000;
  const levels = values.concurrency.split(',').map(Number);
  const modes = values.modes.split(',') as Array<'json' | 'stream'>;

  const upstream = await start('upstream', [values.chunks]);
  const hmas = await start('hmas', ['url' in upstream.message ? upstream.message.url : '', values['log-level']]);
  const bare = await start('bare', ['url' in upstream.message ? upstream.message.url : '']);

  if (!('ready' in upstream.message) || !('ready' in hmas.message) || !('ready' in bare.message)) throw new Error('not ready');
  const bareUrl = bare.message.url;
  const upstreamUrl = upstream.message.url;
  const hmasUrl = hmas.message.url;
  const through = { authorization: `Bearer ${hmas.message.key}`, 'content-type': 'application/json' };
  const direct = { 'content-type': 'application/json' };

  console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} CPUs, log level ${values['log-level']}, database ${process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'PGlite (in process)'}, ${values.duration} s per run`);
  console.log(
    '| mode | conc. | req/s direct / bare proxy / H-MAS | H-MAS vs direct | p50 / p99 ms direct | p50 / p99 ms bare proxy | p50 / p99 ms H-MAS | added by H-MAS p50 / p99 ms | x-hmas-overhead-ms p50 / p99 | CPU µs/req upstream / bare / H-MAS | errors |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  try {
    for (const mode of modes) {
      const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say something short.' }], max_tokens: 20, ...(mode === 'stream' ? { stream: true } : {}) });
      for (const concurrency of levels) {
        const a = await load(() => cpuOf(upstream.child), new URL(upstreamUrl).origin, '/v1/chat/completions', body, direct, concurrency, durationMs, warmupMs);
        const r = await load(() => cpuOf(bare.child), bareUrl, '/v1/chat/completions', body, direct, concurrency, durationMs, warmupMs);
        const b = await load(() => cpuOf(hmas.child), hmasUrl, '/v1/chat/completions', body, through, concurrency, durationMs, warmupMs);
        const f = (value: number | null) => (value === null ? '–' : value.toFixed(2));
        console.log(
          `| ${mode === 'stream' ? `stream (${values.chunks} chunks)` : 'JSON'} | ${concurrency} | ${a.rps.toFixed(0)} / ${r.rps.toFixed(0)} / ${b.rps.toFixed(0)} | ${((b.rps / a.rps) * 100).toFixed(0)}% | ${f(a.p50)} / ${f(a.p99)} | ${f(r.p50)} / ${f(r.p99)} | ${f(b.p50)} / ${f(b.p99)} | ${f(b.p50 - a.p50)} / ${f(b.p99 - a.p99)} | ${f(b.overheadP50)} / ${f(b.overheadP99)} | ${a.cpuPerRequest.toFixed(0)} / ${r.cpuPerRequest.toFixed(0)} / ${b.cpuPerRequest.toFixed(0)} | ${a.errors + r.errors + b.errors} |`,
        );
      }
    }
  } finally {
    hmas.child.kill('SIGTERM');
    bare.child.kill('SIGTERM');
    upstream.child.kill('SIGTERM');
    await new Promise((resolve) => hmas.child.once('exit', resolve));
  }
}

// Imported by bench/gateway-spool.ts for its helpers: only a run of this file (or a role it forks) does anything.
const [role, ...rest] = process.argv.slice(2);
if (path.resolve(process.argv[1] ?? '') !== SELF) {
  // imported
} else if (role === 'upstream') runUpstream(Number(rest[0] ?? 20));
else if (role === 'bare') await runBare(rest[0]!);
else if (role === 'hmas') await runHmas(rest[0]!, rest[1] ?? 'info');
else await main();
