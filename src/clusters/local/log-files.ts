import { open, rename, stat } from 'node:fs/promises';

/** How much of the end of a log file is read for its last lines. */
const TAIL_WINDOW_BYTES = 256 * 1024;

/**
 * The last `count` complete lines of `text`. When `text` starts in the middle of a file
 * (`partialStart`), its first line is incomplete and left out.
 */
export function lastLines(text: string, count: number, partialStart = false): string[] {
  if (count <= 0) return [];
  const lines = text.split('\n');
  if (partialStart) lines.shift();
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-count).map((line) => line.replace(/\r$/, ''));
}

/** The last lines of a log file (of its first `end` bytes, when given); an absent file has none. */
export async function readLastLines(file: string, count: number, end?: number): Promise<string[]> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const size = Math.min((await handle.stat()).size, end ?? Number.MAX_SAFE_INTEGER);
    const start = Math.max(0, size - TAIL_WINDOW_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    return lastLines(buffer.toString('utf8'), count, start > 0);
  } finally {
    await handle.close();
  }
}

/**
 * Reads what was appended to a log file since `offset`, as complete lines; a partial last line
 * waits for the next read. A file that shrank (rotated or replaced) is read from its start.
 */
export async function readAppended(file: string, offset: number): Promise<{ lines: string[]; offset: number }> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], offset: 0 };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const from = size < offset ? 0 : offset;
    const length = Math.min(size - from, TAIL_WINDOW_BYTES);
    if (length <= 0) return { lines: [], offset: from };
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, from);
    const end = buffer.lastIndexOf(0x0a);
    if (end === -1) {
      // One line longer than the window is passed on in pieces rather than held forever.
      return length === TAIL_WINDOW_BYTES ? { lines: [buffer.toString('utf8')], offset: from + length } : { lines: [], offset: from };
    }
    return { lines: lastLines(buffer.subarray(0, end + 1).toString('utf8'), Number.MAX_SAFE_INTEGER), offset: from + end + 1 };
  } finally {
    await handle.close();
  }
}

/** The size of a file, 0 when absent. */
export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/** Moves a log grown past `maxBytes` to `<file>.1` (replacing the previous one) before a new run appends to it. */
export async function rotateIfLarge(file: string, maxBytes: number): Promise<void> {
  if ((await fileSize(file)) > maxBytes) await rename(file, `${file}.1`);
}
