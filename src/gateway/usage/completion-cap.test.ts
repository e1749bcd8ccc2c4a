import { describe, expect, it } from 'vitest';
import { capCompletion, completionRequest, completionTarget, DEFAULT_COMPLETION_TOKENS } from './completion-cap.js';

describe('completionTarget', () => {
  it('knows the OpenAI and runtime-native generation paths', () => {
    expect(completionTarget('chat', '/v1/chat/completions')).toBe('openai-chat');
    expect(completionTarget('completion', '/v1/completions')).toBe('openai-completion');
    expect(completionTarget('embedding', '/v1/embeddings')).toBe('none');
    expect(completionTarget('other', '/generate')).toBe('tgi');
    expect(completionTarget('other', '/generate_stream?x=1')).toBe('tgi');
    expect(completionTarget('other', '/api/generate')).toBe('ollama');
    expect(completionTarget('other', '/api/chat')).toBe('ollama');
    expect(completionTarget('other', '/completion')).toBe('llamacpp');
    expect(completionTarget('other', '/embed')).toBe('none');
  });
});

describe('completionRequest', () => {
  it('takes the largest valid maximum, and the default when any field is invalid (0, negative, a string)', () => {
    expect(completionRequest({ max_tokens: 10 }, 'openai-chat')).toEqual({ perChoice: 10, choices: 1 });
    expect(completionRequest({ max_tokens: 10, max_completion_tokens: 30 }, 'openai-chat')).toEqual({ perChoice: 30, choices: 1 });
    expect(completionRequest({ max_completion_tokens: 1, max_tokens: 0 }, 'openai-chat').perChoice).toBe(DEFAULT_COMPLETION_TOKENS);
    expect(completionRequest({ max_tokens: 'lots' }, 'openai-chat').perChoice).toBe(DEFAULT_COMPLETION_TOKENS);
    expect(completionRequest({}, 'openai-chat').perChoice).toBe(DEFAULT_COMPLETION_TOKENS);
    expect(completionRequest({ options: { num_predict: -1 } }, 'ollama').perChoice).toBe(DEFAULT_COMPLETION_TOKENS);
    expect(completionRequest({ parameters: { max_new_tokens: 7 } }, 'tgi').perChoice).toBe(7);
  });

  it('multiplies by the choices the runtime generates', () => {
    expect(completionRequest({ max_tokens: 10, n: 3 }, 'openai-chat')).toEqual({ perChoice: 10, choices: 3 });
    expect(completionRequest({ max_tokens: 10, n: 2, best_of: 5 }, 'openai-completion')).toEqual({ perChoice: 10, choices: 5 });
    expect(completionRequest({ input: 'x' }, 'none')).toEqual({ perChoice: 0, choices: 0 });
  });
});

describe('capCompletion', () => {
  it('writes the cap into every field the runtimes read, adding them when absent', () => {
    expect(capCompletion({ max_completion_tokens: 1, max_tokens: 0 }, 'openai-chat', 50)).toEqual({ max_completion_tokens: 50, max_tokens: 50 });
    expect(capCompletion({ n_predict: -1 }, 'openai-chat', 50)).toEqual({ n_predict: 50, max_tokens: 50, max_completion_tokens: 50 });
    expect(capCompletion({ prompt: 'x' }, 'openai-completion', 9)).toEqual({ prompt: 'x', max_tokens: 9 });
    expect(capCompletion({ parameters: { temperature: 1 } }, 'tgi', 9)).toEqual({ parameters: { temperature: 1, max_new_tokens: 9 } });
    expect(capCompletion({ options: 'junk' }, 'ollama', 9)).toEqual({ options: { num_predict: 9 } });
    expect(capCompletion({}, 'llamacpp', 9)).toEqual({ n_predict: 9 });
  });
});
