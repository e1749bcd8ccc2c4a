import type { TokenUsage } from '../gateway-contracts.js';
import { findUsage } from './usage-json.js';

const LF = 0x0a;
const CR = 0x0d;
const DATA = Buffer.from('data:', 'latin1');
/**
 * An unfinished line or (filter mode) event longer than this ends scanning: the rest of the
 * stream passes through untouched and unscanned, so one huge event cannot hold memory or cost
 * repeated copying. Real events are a few hundred bytes.
 */
export const MAX_UNFINISHED_BYTES = 4 * 1024 * 1024;

/** `data: {…"choices":[],…"usage":{…}}`: the chunk `stream_options.include_usage` adds at the end. */
function isUsageOnlyChunk(data: string): boolean {
  try {
    const parsed = JSON.parse(data) as { choices?: unknown };
    return Array.isArray(parsed.choices) && parsed.choices.length === 0;
  } catch {
    return false;
  }
}

/**
 * Reads token usage from a Server-Sent Events stream as its chunks pass, without holding the
 * stream: it keeps only the part of a line (and, when dropping, of an event) that has not
 * ended yet. Lines end in LF, CRLF or CR (the SSE grammar), split anywhere across chunks.
 *
 * With `dropUsageOnlyChunk` it also removes the usage-only chunk (`choices: []`) that
 * `stream_options.include_usage` adds — for clients that did not ask for it, when the gateway
 * added the option itself. Then `push` forwards whole events only: bytes of an event not yet
 * complete wait for the rest of it (never longer). Otherwise `push` returns its chunk untouched.
 */
export class SseUsageScanner {
  /** The last usage seen in the stream. */
  usage: TokenUsage | null = null;
  /** How many `data:` events the stream carried (`[DONE]` included). */
  events = 0;
  /** Events that carried generated text (a non-empty `content` or `text`): each holds at least one token. */
  contentEvents = 0;
  /** Bytes of every `data:` value: an upper bound of the generated text's bytes (see settlement.ts). */
  dataBytes = 0;

  /** The unfinished line's bytes from earlier chunks (joined once, when the line ends). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Scanning stopped (see MAX_UNFINISHED_BYTES): chunks pass through. */
  private passThrough = false;
  private skipLineFeed = false;
  /** Filter mode: the last event that ended was dropped (so is the LF of its CRLF, when that comes in the next chunk). */
  private droppedLast = false;
  private data: string | null = null;
  /** Filter mode: bytes of the current, unfinished event from earlier chunks. */
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(private readonly dropUsageOnlyChunk = false) {}

  /** False once scanning stopped (MAX_UNFINISHED_BYTES): the counts above then miss the rest. */
  get scannedAll(): boolean {
    return !this.passThrough;
  }

  /** Scans one chunk; returns what to forward to the client now. */
  push(chunk: Buffer): Buffer {
    if (this.passThrough) return chunk;
    const length = chunk.length;
    const filtering = this.dropUsageOnlyChunk;
    // An empty chunk must not forget a CR that waits for its LF.
    if (length === 0) return filtering ? EMPTY : chunk;
    let pos = 0;
    if (this.skipLineFeed) {
      this.skipLineFeed = false;
      if (chunk[0] === LF) pos = 1;
    }
    let out: Buffer[] | undefined;
    let eventStart = 0;
    // A CRLF split across chunks: with nothing held, its CR ended an event's blank line, and its LF
    // goes where that event went — left out with a dropped event, forwarded with a kept one.
    if (filtering && pos === 1 && this.held.length === 0) {
      eventStart = 1;
      if (!this.droppedLast) out = [chunk.subarray(0, 1)];
    }
    let crAt = length > pos ? chunk.indexOf(CR, pos) : -1;

    while (pos < length) {
      const lfAt = chunk.indexOf(LF, pos);
      if (crAt !== -1 && crAt < pos) crAt = chunk.indexOf(CR, pos);
      let end: number;
      let next: number;
      if (crAt !== -1 && (lfAt === -1 || crAt < lfAt)) {
        end = crAt;
        if (crAt + 1 < length) next = chunk[crAt + 1] === LF ? crAt + 2 : crAt + 1;
        else {
          next = crAt + 1;
          this.skipLineFeed = true;
        }
      } else if (lfAt !== -1) {
        end = lfAt;
        next = lfAt + 1;
      } else {
        break;
      }
      const blank = this.line(chunk, pos, end);
      pos = next;
      if (blank) {
        const drop = this.dispatch();
        if (filtering) {
          this.droppedLast = drop;
          if (!drop) {
            out ??= [];
            for (const piece of this.held) out.push(piece);
            out.push(chunk.subarray(eventStart, next));
          }
          this.held.length = 0;
          this.heldBytes = 0;
          eventStart = next;
        }
      }
    }

    if (pos < length) {
      this.partial.push(chunk.subarray(pos));
      this.partialBytes += length - pos;
    }
    if (!filtering) {
      if (this.partialBytes > MAX_UNFINISHED_BYTES) this.stopScanning();
      return chunk;
    }
    if (eventStart < length) {
      this.held.push(chunk.subarray(eventStart));
      this.heldBytes += length - eventStart;
    }
    if (this.heldBytes > MAX_UNFINISHED_BYTES || this.partialBytes > MAX_UNFINISHED_BYTES) {
      out ??= [];
      for (const piece of this.held) out.push(piece);
      this.stopScanning();
    }
    if (!out) return EMPTY;
    if (out.length === 1) return out[0]!;
    return Buffer.concat(out);
  }

  /** The stream ended: takes in an event left without its blank line; returns held bytes to forward. */
  end(): Buffer {
    if (this.passThrough) return EMPTY;
    if (this.partial.length > 0) {
      const line = this.partial.length === 1 ? this.partial[0]! : Buffer.concat(this.partial);
      this.partial = [];
      this.partialBytes = 0;
      this.line(line, 0, line.length);
    }
    if (this.data !== null) this.dispatch();
    if (!this.dropUsageOnlyChunk || this.held.length === 0) return EMPTY;
    const rest = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held);
    this.held.length = 0;
    this.heldBytes = 0;
    return rest;
  }

  /** Gives up on this stream: what was held goes out with the current chunk, the rest passes through. */
  private stopScanning(): void {
    this.passThrough = true;
    this.partial = [];
    this.partialBytes = 0;
    this.held.length = 0;
    this.heldBytes = 0;
    this.data = null;
  }

  /** One line (bytes start..end of chunk, after any partial line). Returns true for a blank line. */
  private line(chunk: Buffer, start: number, end: number): boolean {
    let buffer = chunk;
    if (this.partial.length > 0) {
      this.partial.push(chunk.subarray(start, end));
      buffer = Buffer.concat(this.partial);
      this.partial = [];
      this.partialBytes = 0;
      start = 0;
      end = buffer.length;
    }
    if (start === end) return true;
    if (end - start < DATA.length || buffer.compare(DATA, 0, DATA.length, start, start + DATA.length) !== 0) return false;
    let valueStart = start + DATA.length;
    if (buffer[valueStart] === 0x20) valueStart += 1;
    this.dataBytes += end - valueStart;
    const value = buffer.toString('utf8', valueStart, end);
    this.data = this.data === null ? value : `${this.data}\n${value}`;
    return false;
  }

  /** An event ended: reads its usage. Returns true when it is to be dropped. */
  private dispatch(): boolean {
    const data = this.data;
    if (data === null) return false;
    this.data = null;
    this.events += 1;
    if (GENERATED_TEXT.test(data)) this.contentEvents += 1;
    if (data.indexOf('"usage"') === -1) return false;
    const usage = findUsage(data);
    if (!usage) return false;
    this.usage = usage;
    return this.dropUsageOnlyChunk && isUsageOnlyChunk(data);
  }
}

const EMPTY = Buffer.alloc(0);
/** A non-empty `content` (chat delta) or `text` (completion choice) string. */
const GENERATED_TEXT = /"(?:content|text)":\s*"[^"]/;
