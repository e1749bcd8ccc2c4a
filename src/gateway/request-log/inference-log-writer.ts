import type { Logger } from '../../lib/logger.js';
import type { InferenceLogEntry, InferenceLogWriter } from '../gateway-contracts.js';
import { parseInferenceLogLine, toInferenceLogLine } from './inference-log-line.js';
import type { InferenceLogSpool } from './inference-log-spool.js';

export interface InferenceLogWriterOptions {
  /** Writes one batch of lines (one INSERT; a line whose entry is already stored is skipped). */
  insert: (lines: readonly string[]) => Promise<void>;
  /** Entries held in memory at most; beyond, they go to the spool only, or are dropped and counted. */
  bufferSize: number;
  /** Entries per insert. */
  batchSize: number;
  /** How often buffered entries are written. */
  flushMs: number;
  logger: Logger;
  /** The crash spool (inference-log-spool.ts); without it a crash loses what is buffered. */
  spool?: InferenceLogSpool;
  /** Called for each dropped entry (the metric). */
  onDrop?: () => void;
  /** Called for each entry the spool could not take (full or failing): kept in memory only. */
  onNotSpooled?: () => void;
  /** Called with the number of entries read back from the spool and written. */
  onReplayed?: (entries: number) => void;
  /** An entry as its line (default: its row as JSON with a fresh entry id). */
  toLine?: (entry: InferenceLogEntry) => string;
  setTimer?: (fn: () => void, ms: number) => NodeJS.Timeout;
  clearTimer?: (timer: NodeJS.Timeout) => void;
}

export interface BatchingInferenceLogWriter extends InferenceLogWriter {
  /** Entries waiting in memory to be written. */
  readonly pending: number;
  /** Starts the flush timer and reads back what an earlier process left in the spool. */
  start(): void;
}

/** A line held in memory, with the spool segment that also has it (-1: none). */
interface Held {
  line: string;
  segment: number;
}

/**
 * The request log's asynchronous batching writer. `write` only appends to a bounded buffer (and,
 * with a spool, queues the line for the spool's end-of-tick write): it never waits and never
 * throws, so the proxy never slows down for the database. A timer writes the buffer every
 * `flushMs`, and a full batch is written at once, one insert at a time.
 *
 * While the database cannot be written (an outage), entries stay: a failed batch goes back to
 * the buffer while there is room, and what does not fit — a failed batch, or new entries while
 * the buffer is full — stays in the spool, which the writer reads back once inserts succeed
 * again. Only an entry that neither the buffer nor the spool can take is dropped and counted
 * (`dropped`, `onDrop`). `drain` (graceful shutdown: after HTTP drained, before the database
 * closes) stops the timer and writes everything; what still cannot be written stays in the spool
 * for the next start.
 */
export function createInferenceLogWriter(options: InferenceLogWriterOptions): BatchingInferenceLogWriter {
  const { bufferSize, batchSize, flushMs, logger, spool } = options;
  const toLine = options.toLine ?? ((entry: InferenceLogEntry) => toInferenceLogLine(entry));
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer));
  let buffer: Held[] = [];
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let waiting: { minimum: number; retryFailed: boolean; promise: Promise<void> } | undefined;
  let batchQueued = false;
  let stopped = false;
  // Set by a failed insert, cleared by a successful one: while the database is out, only the
  // timer tries again (not every full batch).
  let failing = false;

  /** Tells the spool which of its segments' lines are now in the database. */
  function acknowledge(batch: readonly Held[]): void {
    if (!spool) return;
    let segment = -1;
    let count = 0;
    for (const held of batch) {
      if (held.segment !== segment) {
        if (count > 0) spool.inserted(segment, count);
        segment = held.segment;
        count = 0;
      }
      if (segment >= 0) count += 1;
    }
    if (count > 0) spool.inserted(segment, count);
  }

  /** Entries leaving memory unwritten: kept by the spool when it has them, else dropped. Returns how many were kept. */
  function release(entries: readonly Held[]): number {
    let kept = 0;
    for (const held of entries) {
      if (held.segment >= 0) {
        spool?.spilled(held.segment);
        kept += 1;
      } else drop();
    }
    return kept;
  }

  /** Reads back spooled lines that are not in memory (a spill, or an earlier process's), oldest first. */
  async function replay(): Promise<void> {
    if (!spool?.needsReplay) return;
    for (const segment of spool.replayable()) {
      const lines = await spool.read(segment);
      const whole: string[] = [];
      for (const line of lines) {
        const checked = parseInferenceLogLine(line);
        if (checked !== null) whole.push(checked);
      }
      for (let from = 0; from < whole.length; from += batchSize) await options.insert(whole.slice(from, from + batchSize));
      spool.remove(segment);
      options.onReplayed?.(whole.length);
      const skipped = lines.length - whole.length;
      // A crash can tear the last line of a segment; anything else unreadable is damage.
      if (skipped > 0) logger.warn({ segment, skipped }, 'skipped inference log spool lines that are not whole entries');
      logger.info({ segment, entries: whole.length }, 'wrote inference log entries from the spool');
    }
  }

  /** Writes batches until fewer than `minimum` entries are left (1: everything, then the spool's). */
  async function writeBatches(minimum: number, retryFailed: boolean): Promise<void> {
    while (buffer.length >= minimum && buffer.length > 0) {
      const batch = buffer.length <= batchSize ? buffer : buffer.slice(0, batchSize);
      buffer = buffer.length <= batchSize ? [] : buffer.slice(batchSize);
      try {
        await options.insert(batch.map((held) => held.line));
      } catch (error) {
        const room = bufferSize - buffer.length;
        const back = retryFailed ? Math.max(0, Math.min(room, batch.length)) : 0;
        if (back > 0) buffer = batch.slice(0, back).concat(buffer);
        const spooled = release(batch.slice(back));
        const lost = batch.length - back - spooled;
        if (!failing) logger.error({ err: error, entries: batch.length, buffered: back, spooled, lost }, 'could not write inference log entries: keeping them until the database is back');
        else logger.debug({ err: error, entries: batch.length }, 'still cannot write inference log entries');
        failing = true;
        return;
      }
      acknowledge(batch);
      if (failing) logger.info('writing inference log entries again');
      failing = false;
    }
    if (minimum > 1) return;
    try {
      await replay();
    } catch (error) {
      if (!failing) logger.error({ err: error }, 'could not write inference log entries from the spool: trying again later');
      failing = true;
    }
  }

  function drop(): void {
    dropped += 1;
    options.onDrop?.();
  }

  function dropNew(): false {
    drop();
    if (dropped === 1 || dropped % 1000 === 0) logger.warn({ dropped, bufferSize }, spool ? 'inference log buffer and spool full: dropping entries' : 'inference log buffer full: dropping entries');
    return false;
  }

  /** One flush at a time; flushes asked for while one runs are merged into one that follows it. */
  function flush(minimum: number, retryFailed: boolean): Promise<void> {
    if (waiting) {
      waiting.minimum = Math.min(waiting.minimum, minimum);
      waiting.retryFailed &&= retryFailed;
      return waiting.promise;
    }
    const slot = { minimum, retryFailed, promise: Promise.resolve() };
    const run = (flushing ?? Promise.resolve()).then(() => {
      if (waiting === slot) waiting = undefined;
      return writeBatches(slot.minimum, slot.retryFailed);
    });
    const tracked = run.finally(() => {
      if (flushing === tracked) flushing = undefined;
    });
    slot.promise = tracked;
    waiting = slot;
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
      const inMemory = buffer.length < bufferSize;
      if (!inMemory && !spool) return dropNew();
      const line = toLine(entry);
      const segment = spool ? spool.append(line, inMemory) : -1;
      if (!inMemory) {
        if (segment < 0) return dropNew();
        // On disk only: read back once the buffer has been written.
        return true;
      }
      if (spool && segment < 0) options.onNotSpooled?.();
      buffer.push({ line, segment });
      // A full batch is written soon, off this call's stack, without waiting for the timer.
      if (buffer.length >= batchSize && !batchQueued && !stopped && !failing) {
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
      for (let attempt = 0; attempt < 3 && (buffer.length > 0 || spool?.needsReplay); attempt += 1) await flush(1, attempt < 2);
      if (flushing) await flushing;
      const left = buffer;
      buffer = [];
      const kept = release(left);
      await spool?.close();
      if (left.length > 0) {
        logger.error({ kept, lost: left.length - kept }, kept > 0 ? 'inference log entries could not be written before shutdown: kept in the spool for the next start' : 'inference log entries could not be written before shutdown');
      }
    },
    start() {
      if (timer || stopped) return;
      schedule();
      if (spool?.needsReplay) void flush(1, true);
    },
    get dropped() {
      return dropped;
    },
    get pending() {
      return buffer.length;
    },
  };
}
