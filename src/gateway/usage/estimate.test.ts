import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPLETION_ESTIMATE, estimateTokens, estimateTokensFromBytes, kindOfPath, promptChars } from './estimate.js';

describe('kindOfPath', () => {
  it('tells chat, completion, embedding and other calls apart', () => {
    expect(kindOfPath('/v1/chat/completions')).toBe('chat');
    expect(kindOfPath('/v1/completions?x=1')).toBe('completion');
    expect(kindOfPath('/v1/embeddings')).toBe('embedding');
    expect(kindOfPath('/v1/models')).toBe('other');
  });
});

describe('estimateTokens', () => {
  it('counts message text at four characters a token plus max_tokens', () => {
    const body = { messages: [{ role: 'user', content: 'x'.repeat(40) }, { role: 'user', content: [{ type: 'text', text: 'y'.repeat(40) }] }], max_tokens: 10 };
    expect(promptChars(body)).toBe(80);
    expect(estimateTokens(body, 'chat')).toBe(30);
  });

  it('assumes the default completion when max_tokens is missing or zero', () => {
    expect(estimateTokens({ prompt: 'abcd' }, 'completion')).toBe(1 + DEFAULT_COMPLETION_ESTIMATE);
    expect(estimateTokens({ prompt: ['abcd', 'efgh'], max_tokens: 0 }, 'completion')).toBe(2 + DEFAULT_COMPLETION_ESTIMATE);
    expect(estimateTokens({ messages: [], max_completion_tokens: 7 }, 'chat')).toBe(7);
  });

  it('expects no completion for embeddings', () => {
    expect(estimateTokens({ input: ['abcdefgh', 'abcd'] }, 'embedding')).toBe(3);
  });
});

describe('estimateTokensFromBytes', () => {
  it('counts the body bytes as prompt and reads max_tokens with a pattern', () => {
    const body = Buffer.from(JSON.stringify({ model: 'm', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }));
    expect(estimateTokensFromBytes(body, 'chat')).toBe(Math.ceil(body.length / 4) + 50);
    expect(estimateTokensFromBytes(Buffer.from('{"input":"abcd"}'), 'embedding')).toBe(4);
    expect(estimateTokensFromBytes(undefined, 'chat')).toBe(DEFAULT_COMPLETION_ESTIMATE);
    expect(estimateTokensFromBytes(undefined, 'other')).toBe(0);
  });
});
