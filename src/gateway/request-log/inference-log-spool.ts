import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../lib/logger.js';
import { acquirePidLock } from '../../lib/pid-lock.js';

export interface InferenceLogSpoolOptions {
  /** The spool's own directory (`<dataDir>/spool/inference-log`); one process at a time. */
  dir: string;
  /** Bytes on disk at most; beyond, `append` refuses lines. */
  maxBytes: number;
  /** A segment is closed once it holds this many bytes (default: 4 MiB, at most an eighth of `maxBytes`). */
  segmentBytes?: number;
  logger: Logger;
  /** Called with the number of lines that were only on their way to disk when writing failed. */
  onLost?: (lines: number) => void;
}

export interface InferenceLogSpool {
  /**
   * Queues one line (no newline) for the current segment and returns the segment's number, or -1
   * when the spool is full or has failed. The lines queued in one event-loop tick are written
   * together, in one write, when the tick ends. `inMemory` says whether the writer also keeps the
   * line (a line that is not is lost if its write fails).
   */
  append(line: string, inMemory: boolean): number;
  /** `count` lines of `segment` that the writer held in memory are now in the database. */
  inserted(segment: number, count: number): void;
  /** Lines of `segment` left memory without reaching the database: it must be read back. */
  spilled(segment: number): void;
  /** Whether some segment must be read back (spilled, or left by an earlier process). */
  readonly needsReplay: boolean;
  /**
   * The segments to read back, oldest first; the current segment is closed first when it is one
   * of them.
   */
  replayable(): number[];
  /** The lines of a closed segment (unchecked: a torn last line is the caller's to skip). */
  read(segment: number): Promise<string[]>;
  /** Deletes a segment whose every line is in the database. */
  remove(segment: number): void;
  /** Bytes on disk and queued. */
  readonly bytes: number;
  /** Writes what is queued, closes the current segment (deleting it when it is all inserted) and releases the lock. */
  close(): Promise<void>;
}

interface Segment {
  bytes: number;
  /** Lines the writer holds in memory and has not inserted yet. */
  pending: number;
  /** Some line is only on disk: the segment is deleted by reading it back, not by `inserted`. */
  replay: boolean;
  closed: boolean;
}

const SEGMENT_FILE = /^(\d{12})\.jsonl$/;
const fileOf = (dir: string, segment: number) => path.join(dir, `${String(segment).padStart(12, '0')}.jsonl`);

/**
 * The request log's crash spool: an append-only directory of JSON-lines segments that the writer
 * fills before it inserts, so a process that dies (kill -9, OOM kill) loses no answered request;
 * the next start reads back what is left. Segments are closed at `segmentBytes` and deleted once
 * every line in them is in the database.
 *
 * Durability: lines are written (never fsynced) at the end of the tick that produced them. A
 * write() puts them in the kernel's page cache, which outlives the process however it dies; only
 * a kernel crash or power loss before writeback (seconds) loses them — the same entries the
 * database would not have yet either, since the writer inserts every `flushMs`. An fsync per tick
 * would buy that window at the price of a disk flush on the request path.
 */
export async function openInferenceLogSpool(options: InferenceLogSpoolOptions): Promise<InferenceLogSpool> {
  const { dir, maxBytes, logger } = options;
  const segmentBytes = options.segmentBytes ?? Math.min(4 * 1024 * 1024, Math.floor(maxBytes / 8));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const release = await acquirePidLock(path.join(dir, 'spool.lock'));

  const segments = new Map<number, Segment>();
  let total = 0;
  let next = 1;
  for (const file of (await readdir(dir)).sort()) {
    const match = SEGMENT_FILE.exec(file);
    if (!match) continue;
    const number = Number(match[1]);
    const { size } = await stat(path.join(dir, file));
    segments.set(number, { bytes: size, pending: 0, replay: true, closed: true });
    total += size;
    next = Math.max(next, number + 1);
  }
  if (segments.size > 0) logger.info({ segments: segments.size, bytes: total }, 'inference log spool has entries from an earlier run: writing them');

  let current = -1;
  let fd: number | undefined;
  let queue: string[] = [];
  let queuedOnlyHere = 0;
  let writeScheduled = false;
  let failed = false;
  let closed = false;

  function writeQueued(): void {
    writeScheduled = false;
    if (queue.length === 0) return;
    const data = `${queue.join('\n')}\n`;
    const lost = queuedOnlyHere;
    queue = [];
    queuedOnlyHere = 0;
    if (failed) return;
    try {
      fd ??= openSync(fileOf(dir, current), 'a', 0o600);
      writeSync(fd, data);
    } catch (error) {
      // A full or failing disk: the writer still holds what it kept in memory; stop spooling.
      failed = true;
      logger.error({ err: error, dir }, 'inference log spool write failed: entries are kept in memory only from now on');
      if (lost > 0) options.onLost?.(lost);
    }
  }

  function deleteIfDone(number: number): void {
    const segment = segments.get(number);
    if (!segment || !segment.closed || segment.pending > 0 || segment.replay) return;
    remove(number);
  }

  function closeCurrent(): void {
    if (current < 0) return;
    writeQueued();
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    const number = current;
    current = -1;
    const segment = segments.get(number);
    if (segment) segment.closed = true;
    deleteIfDone(number);
  }

  function remove(number: number): void {
    const segment = segments.get(number);
    if (!segment) return;
    segments.delete(number);
    total -= segment.bytes;
    try {
      unlinkSync(fileOf(dir, number));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ err: error, segment: number }, 'could not delete an inference log spool segment');
    }
  }

  return {
    append(line, inMemory) {
      if (failed || closed) return -1;
      const size = Buffer.byteLength(line) + 1;
      if (total + size > maxBytes) return -1;
      let segment = segments.get(current);
      if (segment && segment.bytes + size > segmentBytes && segment.bytes > 0) {
        closeCurrent();
        segment = undefined;
      }
      if (!segment) {
        current = next;
        next += 1;
        segment = { bytes: 0, pending: 0, replay: false, closed: false };
        segments.set(current, segment);
      }
      segment.bytes += size;
      total += size;
      if (inMemory) segment.pending += 1;
      else segment.replay = true;
      queue.push(line);
      if (!inMemory) queuedOnlyHere += 1;
      if (!writeScheduled) {
        writeScheduled = true;
        setImmediate(writeQueued);
      }
      return current;
    },
    inserted(number, count) {
      const segment = segments.get(number);
      if (!segment) return;
      segment.pending -= count;
      deleteIfDone(number);
    },
    spilled(number) {
      const segment = segments.get(number);
      if (segment) segment.replay = true;
    },
    get needsReplay() {
      for (const segment of segments.values()) if (segment.replay) return true;
      return false;
    },
    replayable() {
      if (segments.get(current)?.replay) closeCurrent();
      return [...segments.entries()].filter(([, segment]) => segment.replay && segment.closed).map(([number]) => number).sort((a, b) => a - b);
    },
    async read(number) {
      const text = await readFile(fileOf(dir, number), 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      });
      return text.split('\n').filter((line) => line.length > 0);
    },
    remove,
    get bytes() {
      return total;
    },
    async close() {
      if (closed) return;
      closeCurrent();
      closed = true;
      await release();
    },
  };
}
