import { describe, expect, it } from 'vitest';
import { findUsage, usageOf } from './usage-json.js';

describe('findUsage', () => {
  it('reads the usage of a non-streaming answer', () => {
    const answer = JSON.stringify({
      id: 'x',
      choices: [{ index: 0, message: { role: 'assistant', content: 'the "usage": {"prompt_tokens": 99} is quoted' } }],
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 0 } },
      timings: { predicted_ms: 1.5 },
    });
    expect(findUsage(answer)).toEqual({ promptTokens: 12, completionTokens: 5 });
  });

  it('reads usage with whitespace around the colon and an embeddings answer without completion tokens', () => {
    expect(findUsage('{"data":[{"embedding":[0.1,0.2]}],\n "usage" :\n {"prompt_tokens": 4, "total_tokens": 4}}')).toEqual({ promptTokens: 4, completionTokens: 0 });
  });

  it('answers null for a null, missing, malformed or cut-off usage', () => {
    expect(findUsage('{"choices":[],"usage":null}')).toBeNull();
    expect(findUsage('{"choices":[]}')).toBeNull();
    expect(findUsage('{"usage":{"prompt_tokens":1,')).toBeNull();
    expect(findUsage('{"usage":{"foo":1}}')).toBeNull();
    expect(findUsage('["usage"]')).toBeNull();
  });

  it('ignores negative or fractional counts sensibly', () => {
    expect(findUsage('{"usage":{"prompt_tokens":-3,"completion_tokens":2.7}}')).toEqual({ promptTokens: 0, completionTokens: 2 });
  });
});

describe('usageOf', () => {
  it('reads the usage of a parsed object', () => {
    expect(usageOf({ usage: { prompt_tokens: 2, completion_tokens: 3 } })).toEqual({ promptTokens: 2, completionTokens: 3 });
    expect(usageOf({ usage: null })).toBeNull();
    expect(usageOf('x')).toBeNull();
  });
});
