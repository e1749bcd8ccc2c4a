import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import type { InferenceLogEntry } from '../gateway-contracts.js';
import { createInferenceLogWriter } from './inference-log-writer.js';

const logger = createLogger({ level: 'silent', pretty: false });

const entry = (n: number): InferenceLogEntry => ({
  requestId: `r${n}`,
  userId: null,
  username: null,
  authMethod: null,
  apiKeyId: null,
  deploymentId: null,
  deploymentName: 'd',
  modelName: null,
  clusterName: null,
  method: 'POST',
  path: '/v1/chat/completions',
  statusCode: 200,
  streaming: false,
  ttfbMs: 1,
  durationMs: 2,
  promptTokens: 1,
  completionTokens: 1,
  errorMessage: null,
  startedAt: new Date(0),
});

/** A writer whose timer only fires when the test says so. */
function setup(options: { bufferSize?: number; batchSize?: number; failures?: number } = {}) {
  const batches: string[][] = [];
  let failures = options.failures ?? 0;
  let fire: (() => void) | undefined;
  const drops: number[] = [];
  const writer = createInferenceLogWriter({
    insert: async (entries) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('database unavailable');
      }
      batches.push(entries.map((line) => (JSON.parse(line) as { request_id: string }).request_id));
    },
    bufferSize: options.bufferSize ?? 10,
    batchSize: options.batchSize ?? 3,
    flushMs: 1_000,
    logger,
    onDrop: () => drops.push(1),
    setTimer: (fn) => {
      fire = fn;
      return { unref() {} } as NodeJS.Timeout;
    },
    clearTimer: () => {
      fire = undefined;
    },
  });
  return { writer, batches, drops, tick: () => fire?.() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('inference log writer', () => {
  it('buffers without writing until the timer fires, then writes in batches', async () => {
    const { writer, batches, tick } = setup({ batchSize: 3 });
    writer.start();
    for (let n = 1; n <= 2; n += 1) expect(writer.write(entry(n))).toBe(true);
    await settle();
    expect(batches).toEqual([]);
    tick();
    await settle();
    await settle();
    expect(batches).toEqual([['r1', 'r2']]);
  });

  it('writes a full batch at once without waiting for the timer', async () => {
    const { writer, batches } = setup({ batchSize: 3 });
    for (let n = 1; n <= 7; n += 1) writer.write(entry(n));
    await settle();
    await settle();
    expect(batches).toEqual([
      ['r1', 'r2', 'r3'],
      ['r4', 'r5', 'r6'],
    ]);
    expect(writer.pending).toBe(1);
  });

  it('drops and counts entries once the buffer is full, never blocking the caller', () => {
    const { writer, drops } = setup({ bufferSize: 4, batchSize: 100 });
    const accepted = Array.from({ length: 6 }, (_, n) => writer.write(entry(n)));
    expect(accepted).toEqual([true, true, true, true, false, false]);
    expect(writer.dropped).toBe(2);
    expect(drops).toHaveLength(2);
  });

  it('drain writes everything buffered, in batches', async () => {
    const { writer, batches } = setup({ batchSize: 2, bufferSize: 100 });
    writer.start();
    for (let n = 1; n <= 5; n += 1) writer.write(entry(n));
    await writer.drain();
    expect(batches.flat()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(batches.every((batch) => batch.length <= 2)).toBe(true);
    expect(writer.pending).toBe(0);
  });

  it('keeps the entries of a failed insert for the next flush', async () => {
    const { writer, batches, tick } = setup({ batchSize: 10, failures: 1 });
    writer.start();
    writer.write(entry(1));
    writer.write(entry(2));
    tick();
    await settle();
    await settle();
    expect(batches).toEqual([]);
    expect(writer.pending).toBe(2);
    await writer.drain();
    expect(batches).toEqual([['r1', 'r2']]);
    expect(writer.dropped).toBe(0);
  });

  it('counts what it still cannot write at shutdown as dropped', async () => {
    const { writer, batches } = setup({ batchSize: 10, failures: 100 });
    writer.write(entry(1));
    await writer.drain();
    expect(batches).toEqual([]);
    expect(writer.dropped).toBe(1);
  });
});
