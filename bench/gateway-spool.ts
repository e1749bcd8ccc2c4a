// What the request log's crash spool costs the gateway: two H-MAS servers started from the built
// CLI (`node dist/main/cli.js server`, as users run it), one with HMAS_INFERENCE_LOG_SPOOL=true
// and one with false, each on its own data directory and PostgreSQL database, behind the same
// upstream. Runs alternate between them (A B, B A, …) so that the machine's drift hits both;
// the ratio of each pair is reported with the median and the spread.
//
//   npm run build && BENCH_DATABASE_URL=postgres://… npx tsx bench/gateway-spool.ts [-- --reps 5 --duration 3 --concurrency 64 --modes json,stream]
//
// Results: bench/README.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { load, start, type Result } from './gateway.js';

const CLI = fileURLToPath(new URL('../dist/main/cli.js', import.meta.url));
const PASSWORD = 'bench-admin-password';
const TICKS_PER_SECOND = 100;
// The deployment is a row pointing at the upstream with no workload behind it: the reconciler
// (whose first pass runs before the row exists) must not come back to act on it.
const NO_RECONCILE = '1000000000';

interface CliServer {
  name: string;
  url: string;
  key: string;
  child: ChildProcess;
  /** User + system CPU µs of the server process (from /proc). */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

async function startCliServer(name: string, adminUrl: string, upstreamUrl: string, env: Record<string, string>): Promise<CliServer> {
  const database = `hmas_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-bench-spool-'));
  const child = spawn(process.execPath, [CLI, 'server'], {
    env: { ...process.env, HMAS_PORT: '0', HMAS_DATA_DIR: dataDir, DATABASE_URL: url.toString(), HMAS_ADMIN_PASSWORD: PASSWORD, HMAS_LOG_PRETTY: 'false', HMAS_RATE_LIMIT_RPM: '100000000', HMAS_RATE_LIMIT_TPM: '1000000000', HMAS_RECONCILE_INTERVAL_MS: NO_RECONCILE, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      // Only the start is kept: the request lines that follow go nowhere (as to a log collector).
      if (output.length < 100_000) output += chunk.toString();
      const match = /H-MAS is running: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
  });
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
  const headers = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}`, 'content-type': 'application/json' };
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  const modelId = randomUUID();
  await db.query(`INSERT INTO models (id, name, format, source, local_path, category) VALUES ($1, 'bench-model', 'gguf', 'local', '/nonexistent/bench.gguf', 'LLM')`, [modelId]);
  await db.query(
    `INSERT INTO deployments (id, name, model_id, cluster_id, runtime, replicas, status, ready_replicas, endpoints) SELECT $1, 'bench', $2, id, 'vllm', 1, 'running', 1, $3::jsonb FROM clusters WHERE name = 'local'`,
    [randomUUID(), modelId, JSON.stringify([upstreamUrl])],
  );
  await db.end();
  const key = ((await (await fetch(`${base}/api/api-keys`, { method: 'POST', headers, body: JSON.stringify({ name: 'bench' }) })).json()) as { key: string }).key;
  // The row was written behind the server's back: its route table sees it within a second.
  let probe = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'bench', messages: [] }) });
  for (let tries = 0; probe.status === 404 && tries < 20; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    probe = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'bench', messages: [] }) });
  }
  if (probe.status !== 200) throw new Error(`${name}: a request through H-MAS answered ${probe.status}: ${await probe.text()}`);
  return {
    name,
    url: base,
    key,
    child,
    async cpu() {
      const fields = (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
    },
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      reps: { type: 'string', default: '5' },
      duration: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '64' },
      chunks: { type: 'string', default: '20' },
      modes: { type: 'string', default: 'json,stream' },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  const adminUrl = process.env.BENCH_DATABASE_URL;
  if (!adminUrl) throw new Error('Set BENCH_DATABASE_URL (a PostgreSQL URL whose user may create databases).');
  const reps = Number(values.reps);
  const durationMs = Number(values.duration) * 1000;
  const warmupMs = Number(values.warmup) * 1000;
  const upstream = await start('upstream', [values.chunks]);
  if (!('ready' in upstream.message)) throw new Error('upstream not ready');
  const upstreamUrl = upstream.message.url;
  const common = { HMAS_LOG_LEVEL: values['log-level'] };
  const on = await startCliServer('spool on', adminUrl, upstreamUrl, { ...common, HMAS_INFERENCE_LOG_SPOOL: 'true' });
  const off = await startCliServer('spool off', adminUrl, upstreamUrl, { ...common, HMAS_INFERENCE_LOG_SPOOL: 'false' });
  console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} CPUs, log level ${values['log-level']}, PostgreSQL, ${reps} pairs of ${values.duration} s runs, alternating`);
  console.log('| mode | conc. | req/s spool on (median) | req/s spool off (median) | on/off per pair: median (min–max) | p99 ms on / off (median) | CPU µs/req on / off (median) | errors |');
  console.log('|---|---|---|---|---|---|---|---|');
  try {
    for (const mode of values.modes.split(',')) {
      const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say something short.' }], max_tokens: 20, ...(mode === 'stream' ? { stream: true } : {}) });
      for (const concurrency of values.concurrency.split(',').map(Number)) {
        const results = new Map<CliServer, Result[]>([
          [on, []],
          [off, []],
        ]);
        for (let rep = 0; rep < reps; rep += 1) {
          for (const server of rep % 2 === 0 ? [on, off] : [off, on]) {
            const headers = { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' };
            results.get(server)!.push(await load(() => server.cpu(), server.url, '/v1/chat/completions', body, headers, concurrency, durationMs, warmupMs));
          }
        }
        const a = results.get(on)!;
        const b = results.get(off)!;
        const ratios = a.map((result, i) => result.rps / b[i]!.rps);
        const m = (list: Result[], pick: (r: Result) => number) => median(list.map(pick));
        console.log(
          `| ${mode === 'stream' ? `stream (${values.chunks} chunks)` : 'JSON'} | ${concurrency} | ${m(a, (r) => r.rps).toFixed(0)} | ${m(b, (r) => r.rps).toFixed(0)} | ${(median(ratios) * 100).toFixed(1)}% (${(Math.min(...ratios) * 100).toFixed(1)}–${(Math.max(...ratios) * 100).toFixed(1)}%) | ${m(a, (r) => r.p99).toFixed(2)} / ${m(b, (r) => r.p99).toFixed(2)} | ${m(a, (r) => r.cpuPerRequest).toFixed(0)} / ${m(b, (r) => r.cpuPerRequest).toFixed(0)} | ${[...a, ...b].reduce((sum, r) => sum + r.errors, 0)} |`,
        );
      }
    }
  } finally {
    await Promise.all([on.stop(), off.stop()]);
    upstream.child.kill('SIGTERM');
  }
}

await main();
