import { describe, expect, it } from 'vitest';
import { findUnstorableText } from './text-guard.js';

describe('findUnstorableText', () => {
  it('finds nothing in ordinary text, numbers, buffers and nulls', () => {
    expect(findUnstorableText({ name: 'qwen', emoji: '🚀', n: 1, nothing: null, list: ['a', 2], raw: Buffer.from([0]) }, 'body')).toBeNull();
  });

  it('names the path of a NUL, an unpaired surrogate, or a bad key', () => {
    expect(findUnstorableText({ a: { b: ['ok', 'x\u0000'] } }, 'body')).toBe('body.a.b[1]');
    expect(findUnstorableText({ name: 'half \ud83d' }, 'body')).toBe('body.name');
    expect(findUnstorableText({ ['k\u0000']: 1 }, 'query')).toBe('query (a key)');
    expect(findUnstorableText('\udc00', 'path')).toBe('path');
  });
});
