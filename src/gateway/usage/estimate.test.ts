import { describe, expect, it } from 'vitest';
import { kindOfPath } from './estimate.js';

describe('kindOfPath', () => {
  it('tells chat, completion, embedding and other calls apart', () => {
    expect(kindOfPath('/v1/chat/completions')).toBe('chat');
    expect(kindOfPath('/v1/completions?x=1')).toBe('completion');
    expect(kindOfPath('/v1/embeddings')).toBe('embedding');
    expect(kindOfPath('/v1/models')).toBe('other');
  });
});
