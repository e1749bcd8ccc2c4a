// CPU the request log's spool adds per entry, measured in one process without the network: the
// writer with and without a spool takes the same entries, `perTick` of them per event-loop tick
// (1: one write() per request, the worst case; under load several requests end in one tick).
// Runs alternate (off, on, off, on, …); medians are reported.
//
//   npx tsx bench/inference-log-spool-append.ts [-- --entries 50000 --per-tick 1,8 --reps 5]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/lib/logger.js';
import type { InferenceLogEntry } from '../src/gateway/gateway-contracts.js';
import { openInferenceLogSpool } from '../src/gateway/request-log/inference-log-spool.js';
import { createInferenceLogWriter } from '../src/gateway/request-log/inference-log-writer.js';

const logger = createLogger({ level: 'silent', pretty: false });
const entry = (n: number): InferenceLogEntry => ({
  requestId: `0b6f2c1e-7a4d-4c1b-9b1e-${String(n).padStart(12, '0')}`,
  userId: '5d1c3f0e-2b7a-4e8c-9f6d-1a2b3c4d5e6f',
  username: 'alice',
  authMethod: 'api_key',
  apiKeyId: '7e8f9a0b-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
  deploymentId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  deploymentName: 'llama-3-8b',
  modelName: 'meta-llama/Meta-Llama-3-8B-Instruct',
  clusterName: 'local',
  method: 'POST',
  path: '/v1/chat/completions',
  statusCode: 200,
  streaming: true,
  ttfbMs: 12.5,
  durationMs: 830.25,
  promptTokens: 120,
  completionTokens: 256,
  errorMessage: null,
  startedAt: new Date(),
});
const tick = () => new Promise((resolve) => setImmediate(resolve));

async function run(withSpool: boolean, entries: number, perTick: number): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hmas-spool-bench-'));
  const spool = withSpool ? await openInferenceLogSpool({ dir, maxBytes: 1024 * 1024 * 1024, logger }) : undefined;
  // Inserts succeed at once: the database's own cost is the same with and without the spool.
  const writer = createInferenceLogWriter({ insert: async () => {}, bufferSize: 1000, batchSize: 100, flushMs: 5000, logger, spool });
  writer.start();
  const before = process.cpuUsage();
  for (let n = 0; n < entries; n += perTick) {
    for (let i = 0; i < perTick; i += 1) writer.write(entry(n + i));
    await tick();
  }
  const used = process.cpuUsage(before);
  await writer.drain();
  await rm(dir, { recursive: true, force: true });
  return (used.user + used.system) / entries;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const { values } = parseArgs({ args: process.argv.slice(2), options: { entries: { type: 'string', default: '50000' }, 'per-tick': { type: 'string', default: '1,8' }, reps: { type: 'string', default: '5' } } });
console.log('| entries per tick | CPU µs/entry without spool (median) | with spool (median) | added µs/entry |');
console.log('|---|---|---|---|');
for (const perTick of values['per-tick'].split(',').map(Number)) {
  const off: number[] = [];
  const on: number[] = [];
  for (let rep = 0; rep < Number(values.reps); rep += 1) {
    off.push(await run(false, Number(values.entries), perTick));
    on.push(await run(true, Number(values.entries), perTick));
  }
  console.log(`| ${perTick} | ${median(off).toFixed(2)} | ${median(on).toFixed(2)} | ${(median(on) - median(off)).toFixed(2)} |`);
}
