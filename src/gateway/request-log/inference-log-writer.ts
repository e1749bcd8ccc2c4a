import type { Logger } from '../../lib/logger.js';
import type { InferenceLogEntry, InferenceLogWriter } from '../gateway-contracts.js';

export interface InferenceLogWriterOptions {
  /** Writes one batch (one INSERT). */
  insert: (entries: readonly InferenceLogEntry[]) => Promise<void>;
  /** Entries held at most; beyond, new ones are dropped and counted. */
  bufferSize: number;
  /** Entries per insert. */
  batchSize: number;
  /** How often buffered entries are written. */
  flushMs: number;
  logger: Logger;
  /** Called for each dropped entry (the metric). */
  onDrop?: () => void;
  setTimer?: (fn: () => void, ms: number) => NodeJS.Timeout;
  clearTimer?: (timer: NodeJS.Timeout) => void;
}

export interface BatchingInferenceLogWriter extends InferenceLogWriter {
  /** Entries waiting to be written. */
  readonly pending: number;
  /** Starts the flush timer (the writer accepts entries before, and `drain` writes them). */
  start(): void;
}

/**
 * The request log's asynchronous batching writer. `write` only appends to a bounded buffer: it
 * never waits and never throws, so the proxy never slows down for the database. A timer writes
 * the buffer every `flushMs`, and a full batch is written at once, one insert at a time. When the
 * buffer is full, new entries are dropped and counted (`dropped`, `onDrop`). A failed insert
 * keeps its entries for the next flush while there is room. `drain` (graceful shutdown: after
 * HTTP drained, before the database closes) stops the timer and writes everything buffered.
 */
export function createInferenceLogWriter(options: InferenceLogWriterOptions): BatchingInferenceLogWriter {
  const { bufferSize, batchSize, flushMs, logger } = options;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer));
  let buffer: InferenceLogEntry[] = [];
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let batchQueued = false;
  let stopped = false;

  /** Writes batches until fewer than `minimum` entries are left (1: everything). */
  async function writeBatches(minimum: number, retryFailed: boolean): Promise<void> {
    while (buffer.length >= minimum && buffer.length > 0) {
      const batch = buffer.length <= batchSize ? buffer : buffer.slice(0, batchSize);
      buffer = buffer.length <= batchSize ? [] : buffer.slice(batchSize);
      try {
        await options.insert(batch);
      } catch (error) {
        const room = bufferSize - buffer.length;
        const kept = retryFailed ? Math.max(0, Math.min(room, batch.length)) : 0;
        if (kept > 0) buffer = batch.slice(0, kept).concat(buffer);
        const lost = batch.length - kept;
        for (let i = 0; i < lost; i += 1) drop();
        logger.error({ err: error, entries: batch.length, kept, lost }, 'could not write inference log entries');
        return;
      }
    }
  }

  function drop(): void {
    dropped += 1;
    options.onDrop?.();
  }

  /** One flush at a time; a flush asked for while one runs follows it. */
  function flush(minimum: number, retryFailed: boolean): Promise<void> {
    const run = (flushing ?? Promise.resolve()).then(() => writeBatches(minimum, retryFailed));
    const tracked = run.finally(() => {
      if (flushing === tracked) flushing = undefined;
    });
    flushing = tracked;
    return tracked;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimer(() => {
      timer = undefined;
      void flush(1, true).finally(schedule);
    }, flushMs);
    timer.unref?.();
  }

  return {
    write(entry) {
      if (buffer.length >= bufferSize) {
        drop();
        if (dropped === 1 || dropped % 1000 === 0) logger.warn({ dropped, bufferSize }, 'inference log buffer full: dropping entries');
        return false;
      }
      buffer.push(entry);
      // A full batch is written soon, off this call's stack, without waiting for the timer.
      if (buffer.length >= batchSize && !batchQueued && !stopped) {
        batchQueued = true;
        setImmediate(() => {
          batchQueued = false;
          void flush(batchSize, true);
        });
      }
      return true;
    },
    async drain() {
      stopped = true;
      if (timer) clearTimer(timer);
      timer = undefined;
      // Failed batches are tried once more each round; stop when a round makes no progress.
      for (let attempt = 0; attempt < 3 && buffer.length > 0; attempt += 1) await flush(1, attempt < 2);
      if (flushing) await flushing;
      if (buffer.length > 0) {
        for (let i = 0; i < buffer.length; i += 1) drop();
        logger.error({ lost: buffer.length }, 'inference log entries could not be written before shutdown');
        buffer = [];
      }
    },
    start() {
      if (timer || stopped) return;
      schedule();
    },
    get dropped() {
      return dropped;
    },
    get pending() {
      return buffer.length;
    },
  };
}
