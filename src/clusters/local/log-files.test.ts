import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSize, lastLines, readAppended, readLastLines, rotateIfLarge } from './log-files.js';

describe('log files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-logs-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('takes the last lines of a text, without the empty piece after the final line break', () => {
    expect(lastLines('a\nb\nc\n', 2)).toEqual(['b', 'c']);
    expect(lastLines('a\r\nb', 5)).toEqual(['a', 'b']);
    expect(lastLines('', 3)).toEqual([]);
    expect(lastLines('a\nb\n', 0)).toEqual([]);
  });

  it('leaves out the cut first line of a text read from the middle of a file', () => {
    expect(lastLines('tail of a line\nfull\n', 10, true)).toEqual(['full']);
  });

  it('reads the last lines of a large file from its end, and nothing from a missing file', async () => {
    const file = path.join(dir, 'big.log');
    await writeFile(file, Array.from({ length: 50_000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    expect(await readLastLines(file, 3)).toEqual(['line 49997', 'line 49998', 'line 49999']);
    expect(await readLastLines(path.join(dir, 'missing.log'), 3)).toEqual([]);
  });

  it('reads appended complete lines, holding a partial last line until it ends', async () => {
    const file = path.join(dir, 'follow.log');
    await writeFile(file, 'old\n');
    let offset = await fileSize(file);
    await appendFile(file, 'one\ntw');
    let read = await readAppended(file, offset);
    expect(read.lines).toEqual(['one']);
    offset = read.offset;
    await appendFile(file, 'o\n');
    read = await readAppended(file, offset);
    expect(read.lines).toEqual(['two']);
  });

  it('reads a file that shrank from its start', async () => {
    const file = path.join(dir, 'rotated.log');
    await writeFile(file, 'fresh\n');
    expect(await readAppended(file, 10_000)).toEqual({ lines: ['fresh'], offset: 6 });
  });

  it('moves a log that grew too large aside before the next run', async () => {
    const file = path.join(dir, 'rotate.log');
    await writeFile(file, 'x'.repeat(100));
    await rotateIfLarge(file, 200);
    expect(await fileSize(file)).toBe(100);
    await rotateIfLarge(file, 50);
    expect(await fileSize(file)).toBe(0);
    expect(await fileSize(`${file}.1`)).toBe(100);
  });
});
