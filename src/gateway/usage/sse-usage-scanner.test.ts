import { describe, expect, it } from 'vitest';
import { MAX_UNFINISHED_BYTES, SseUsageScanner } from './sse-usage-scanner.js';

const chunk = (content: string, extra = '') => `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}}}]${extra}}`;
const usageChunk = 'data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}';

/** An SSE stream with the given line ending. */
function stream(eol: string, withUsage: boolean): string {
  const events = [chunk('Hel', ',"usage":null'), chunk('lo "usage" \u00e9\u4e16', ',"usage":null'), ': a comment line', chunk('!', ',"usage":null')];
  if (withUsage) events.push(usageChunk);
  events.push('data: [DONE]');
  return events.map((event) => `${event}${eol}${eol}`).join('');
}

/** Feeds `bytes` split at the given offsets; returns what was forwarded and the scanner. */
function feed(bytes: Buffer, cuts: number[], drop: boolean): { forwarded: Buffer; scanner: SseUsageScanner } {
  const scanner = new SseUsageScanner(drop);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(scanner.push(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(scanner.end());
  return { forwarded: Buffer.concat(out), scanner };
}

describe('SseUsageScanner', () => {
  for (const [label, eol] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ] as const) {
    it(`finds the usage wherever a ${label} stream is split, and passes every byte through`, () => {
      const bytes = Buffer.from(stream(eol, true), 'utf8');
      for (let cut = 0; cut <= bytes.length; cut += 1) {
        const { forwarded, scanner } = feed(bytes, [cut], false);
        expect(scanner.usage, `split at ${cut}`).toEqual({ promptTokens: 11, completionTokens: 7 });
        expect(scanner.events).toBe(5);
        expect(forwarded.equals(bytes)).toBe(true);
      }
    });

    it(`drops only the usage-only chunk wherever a ${label} stream is split`, () => {
      const bytes = Buffer.from(stream(eol, true), 'utf8');
      const expected = stream(eol, false);
      for (let cut = 0; cut <= bytes.length; cut += 1) {
        const { forwarded, scanner } = feed(bytes, [cut], true);
        expect(scanner.usage, `split at ${cut}`).toEqual({ promptTokens: 11, completionTokens: 7 });
        // Byte for byte what the runtime sent, less the usage chunk — also split inside a CRLF.
        expect(forwarded.toString('utf8'), `split at ${cut}`).toBe(expected);
      }
    });
  }

  it('drops only the usage-only chunk wherever a CRLF stream is split twice, empty chunks included', () => {
    const bytes = Buffer.from(`${chunk('a')}\r\n\r\n${usageChunk}\r\n\r\n: keep-alive\r\n\r\ndata:[DONE]\r\n\r\n`, 'utf8');
    const expected = `${chunk('a')}\r\n\r\n: keep-alive\r\n\r\ndata:[DONE]\r\n\r\n`;
    for (let first = 0; first <= bytes.length; first += 1) {
      for (let second = first; second <= bytes.length; second += 1) {
        const { forwarded, scanner } = feed(bytes, [first, second], true);
        if (forwarded.toString('utf8') !== expected) expect(forwarded.toString('utf8'), `split at ${first} and ${second}`).toBe(expected);
        if (scanner.usage?.completionTokens !== 7) expect(scanner.usage, `split at ${first} and ${second}`).toEqual({ promptTokens: 11, completionTokens: 7 });
      }
    }
  });

  it('finds the usage when the stream arrives one byte at a time', () => {
    const bytes = Buffer.from(stream('\n', true), 'utf8');
    const cuts = Array.from({ length: bytes.length - 1 }, (_, index) => index + 1);
    const kept = feed(bytes, cuts, false);
    expect(kept.scanner.usage).toEqual({ promptTokens: 11, completionTokens: 7 });
    expect(kept.forwarded.equals(bytes)).toBe(true);
    const dropped = feed(bytes, cuts, true);
    expect(dropped.forwarded.toString('utf8')).toBe(stream('\n', false));
  });

  it('forwards each whole event at once when dropping, holding back only an unfinished one', () => {
    const scanner = new SseUsageScanner(true);
    const first = Buffer.from(`${chunk('a')}\n\n${chunk('b')}`);
    expect(scanner.push(first).toString()).toBe(`${chunk('a')}\n\n`);
    expect(scanner.push(Buffer.from('\n\n')).toString()).toBe(`${chunk('b')}\n\n`);
  });

  it('returns its chunk untouched when not dropping', () => {
    const scanner = new SseUsageScanner(false);
    const bytes = Buffer.from(`${chunk('a')}\n\n${chunk('b')}`);
    expect(scanner.push(bytes)).toBe(bytes);
  });

  it('keeps a usage chunk that also carries choices (the client asked for usage, or the runtime sends it so)', () => {
    const withChoices = `${chunk('x', ',"usage":{"prompt_tokens":3,"completion_tokens":2}')}\n\ndata: [DONE]\n\n`;
    const { forwarded, scanner } = feed(Buffer.from(withChoices), [], true);
    expect(forwarded.toString()).toBe(withChoices);
    expect(scanner.usage).toEqual({ promptTokens: 3, completionTokens: 2 });
  });

  it('joins multi-line data and reads an event that ends without its blank line', () => {
    const text = 'event: message\ndata: {"choices":[],\ndata: "usage":{"prompt_tokens":1,"completion_tokens":4}}';
    const { forwarded, scanner } = feed(Buffer.from(text), [5, 20], true);
    expect(scanner.usage).toEqual({ promptTokens: 1, completionTokens: 4 });
    expect(forwarded.toString()).toBe(text);
  });

  it('reports no usage for a stream without one', () => {
    const { scanner } = feed(Buffer.from(stream('\n', false)), [17], false);
    expect(scanner.usage).toBeNull();
  });
});

describe('SseUsageScanner with an event longer than MAX_UNFINISHED_BYTES', () => {
  // A first event with usage, then one huge event, then the usage-only chunk: scanning stops at
  // the huge event, so everything after it passes through byte for byte (the usage chunk too).
  const huge = `data: ${'x'.repeat(MAX_UNFINISHED_BYTES + 256 * 1024)}\n\n`;
  const bytes = Buffer.from(`${chunk('Hi', ',"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}')}\n\n${huge}${usageChunk}\n\ndata: [DONE]\n\n`);
  const cuts = Array.from({ length: Math.floor(bytes.length / 65_536) }, (_, index) => (index + 1) * 65_536);

  for (const drop of [false, true]) {
    it(`stops scanning and passes the rest through untouched (${drop ? 'filtering' : 'scanning only'})`, () => {
      const { forwarded, scanner } = feed(bytes, cuts, drop);
      expect(forwarded.equals(bytes)).toBe(true);
      // The usage seen before the huge event stays; the later usage chunk was not scanned.
      expect(scanner.usage).toEqual({ promptTokens: 1, completionTokens: 2 });
    });
  }
});
