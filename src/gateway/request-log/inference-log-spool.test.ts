import { readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testBackends } from '../../../test/support/test-database.js';
import { createLogger } from '../../lib/logger.js';
import type { InferenceLogEntry } from '../gateway-contracts.js';
import { createInferenceLogRepo } from './inference-log-repo.js';
import { parseInferenceLogLine, toInferenceLogLine } from './inference-log-line.js';
import { openInferenceLogSpool, type InferenceLogSpool } from './inference-log-spool.js';
import { createInferenceLogWriter } from './inference-log-writer.js';

const logger = createLogger({ level: 'silent', pretty: false });

const entry = (n: number): InferenceLogEntry => ({
  requestId: `r${n}`,
  userId: null,
  username: null,
  authMethod: 'api_key',
  apiKeyId: 'k',
  deploymentId: null,
  deploymentName: 'd',
  modelName: 'm',
  clusterName: 'local',
  method: 'POST',
  path: '/v1/chat/completions',
  statusCode: 200,
  streaming: false,
  ttfbMs: 1.5,
  durationMs: 2,
  promptTokens: 3,
  completionTokens: 4,
  errorMessage: null,
  startedAt: new Date(0),
});

const tick = () => new Promise((resolve) => setImmediate(resolve));
const requestIds = (lines: readonly string[]) => lines.map((line) => (JSON.parse(line) as { request_id: string }).request_id);

let dir: string | undefined;
let spool: InferenceLogSpool | undefined;
afterEach(async () => {
  await spool?.close();
  spool = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function open(options: { maxBytes?: number; segmentBytes?: number } = {}) {
  dir ??= await mkdtemp(path.join(tmpdir(), 'hmas-spool-'));
  spool = await openInferenceLogSpool({ dir, maxBytes: options.maxBytes ?? 1024 * 1024, segmentBytes: options.segmentBytes, logger });
  return spool;
}

const segmentFiles = async () => (await readdir(dir!)).filter((file) => file.endsWith('.jsonl')).sort();

describe('inference log spool', () => {
  it('writes the lines of one tick together, in files only the server user can read', async () => {
    const s = await open();
    const segment = s.append(toInferenceLogLine(entry(1)), true);
    s.append(toInferenceLogLine(entry(2)), true);
    // Read synchronously: an awaited readdir would let the tick end (and the write happen) first.
    expect(readdirSync(dir!).filter((file) => file.endsWith('.jsonl'))).toEqual([]);
    await tick();
    const [file] = await segmentFiles();
    expect(requestIds((await readFile(path.join(dir!, file!), 'utf8')).trim().split('\n'))).toEqual(['r1', 'r2']);
    expect((await stat(path.join(dir!, file!))).mode & 0o777).toBe(0o600);
    expect((await stat(dir!)).mode & 0o777).toBe(0o700);
    expect(segment).toBeGreaterThan(0);
  });

  it('closes a segment at its size and deletes it once every line is inserted', async () => {
    const line = toInferenceLogLine(entry(1));
    const s = await open({ segmentBytes: line.length * 2 + 2 });
    const segments = [1, 2, 3, 4, 5].map((n) => s.append(toInferenceLogLine(entry(n)), true));
    await tick();
    expect(new Set(segments).size).toBe(3);
    expect(await segmentFiles()).toHaveLength(3);
    s.inserted(segments[0]!, 2);
    expect(await segmentFiles()).toHaveLength(2);
    // The current segment stays until it is closed.
    s.inserted(segments[4]!, 1);
    expect(await segmentFiles()).toHaveLength(2);
    await s.close();
    expect(await segmentFiles()).toHaveLength(1);
  });

  it('refuses lines beyond its size cap', async () => {
    const line = toInferenceLogLine(entry(1));
    const s = await open({ maxBytes: 65536, segmentBytes: 65536 });
    const fits = Math.floor(65536 / (line.length + 1));
    const taken = Array.from({ length: fits + 5 }, (_, n) => s.append(toInferenceLogLine(entry(n)), true));
    const refused = taken.indexOf(-1);
    expect(refused).toBeGreaterThan(fits - 10);
    expect(taken.slice(refused).every((segment) => segment < 0)).toBe(true);
    expect(s.bytes).toBeLessThanOrEqual(65536);
  });

  it('skips a torn last line when it is read back after a crash, and deletes the segment it wrote', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-spool-'));
    const whole = [toInferenceLogLine(entry(1)), toInferenceLogLine(entry(2))];
    const torn = toInferenceLogLine(entry(3)).slice(0, 40);
    await writeFile(path.join(dir, '000000000007.jsonl'), `${whole.join('\n')}\n${torn}`, { mode: 0o600 });
    const s = await open();
    expect(s.needsReplay).toBe(true);
    const inserted: string[] = [];
    const replayed: number[] = [];
    const writer = createInferenceLogWriter({ insert: async (lines) => void inserted.push(...lines), bufferSize: 10, batchSize: 10, flushMs: 60_000, logger, spool: s, onReplayed: (n) => replayed.push(n) });
    writer.start();
    await writer.drain();
    expect(requestIds(inserted)).toEqual(['r1', 'r2']);
    expect(replayed).toEqual([2]);
    expect(await segmentFiles()).toEqual([]);
  });

  it('accepts only whole, well-formed entries as lines', () => {
    const line = toInferenceLogLine(entry(1));
    expect(parseInferenceLogLine(line)).toBe(line);
    expect(parseInferenceLogLine(line.slice(0, -1))).toBeNull();
    expect(parseInferenceLogLine(JSON.stringify({ ...JSON.parse(line), status_code: 'x' }))).toBeNull();
    expect(parseInferenceLogLine(JSON.stringify({ ...JSON.parse(line), path: 'a\u0000b' }))).toBeNull();
    expect(parseInferenceLogLine(JSON.stringify({ ...JSON.parse(line), extra: 1 }))).toBeNull();
  });
});

describe('inference log writer with a spool while the database is out', () => {
  it('keeps what the buffer cannot hold in the spool and writes it once inserts succeed again', async () => {
    const s = await open();
    let out = true;
    // As the database does: a line whose entry is already stored is skipped.
    const stored = new Map<string, string>();
    let fire: (() => void) | undefined;
    const drops: number[] = [];
    const writer = createInferenceLogWriter({
      insert: async (lines) => {
        if (out) throw new Error('connection refused');
        for (const line of lines) stored.set((JSON.parse(line) as { entry_id: string }).entry_id, line);
      },
      bufferSize: 4,
      batchSize: 3,
      flushMs: 1_000,
      logger,
      spool: s,
      onDrop: () => drops.push(1),
      setTimer: (fn) => {
        fire = fn;
        return { unref() {} } as NodeJS.Timeout;
      },
      clearTimer: () => (fire = undefined),
    });
    writer.start();
    for (let n = 1; n <= 10; n += 1) expect(writer.write(entry(n))).toBe(true);
    await tick();
    fire?.();
    await tick();
    await tick();
    expect(stored.size).toBe(0);
    expect(writer.pending).toBeLessThanOrEqual(4);
    out = false;
    fire?.();
    await writer.drain();
    expect(requestIds([...stored.values()]).sort()).toEqual(['r1', 'r10', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9']);
    expect(drops).toEqual([]);
    expect(await segmentFiles()).toEqual([]);
    spool = undefined;
  });

  it('leaves what it cannot write at shutdown in the spool for the next start, without counting it as dropped', async () => {
    const s = await open();
    const writer = createInferenceLogWriter({ insert: () => Promise.reject(new Error('connection refused')), bufferSize: 10, batchSize: 10, flushMs: 60_000, logger, spool: s });
    writer.write(entry(1));
    writer.write(entry(2));
    await writer.drain();
    expect(writer.dropped).toBe(0);
    spool = undefined;
    const next = await open();
    expect(next.needsReplay).toBe(true);
    expect(requestIds(await next.read(next.replayable()[0]!))).toEqual(['r1', 'r2']);
  });
});

describe.each(testBackends())('inference log lines in the database (%s)', { timeout: 120_000 }, (backend) => {
  it('stores a line written twice (a replay) once', async () => {
    const database = await createTestDatabase(backend);
    try {
      const repo = createInferenceLogRepo(database.handle.db);
      const lines = [1, 2, 3].map((n) => toInferenceLogLine(entry(n)));
      await repo.insertLines(lines.slice(0, 2));
      await repo.insertLines(lines);
      await repo.insertLines(lines);
      const { rows, total } = await repo.list({ limit: 10, offset: 0 });
      expect(total).toBe(3);
      expect(rows.map((row) => row.requestId).sort()).toEqual(['r1', 'r2', 'r3']);
      // The same request id from a caller twice is two requests, not a replay.
      await repo.insertLines([toInferenceLogLine(entry(1))]);
      expect((await repo.list({ limit: 10, offset: 0 })).total).toBe(4);
    } finally {
      await database.drop();
    }
  });
});
