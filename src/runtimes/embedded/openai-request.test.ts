import { describe, expect, it } from 'vitest';
import { OpenAiError, parseChatRequest, parseCompletionRequest } from './openai-request.js';

const user = { role: 'user', content: 'hi' };

function refusal(parse: () => unknown): OpenAiError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(OpenAiError);
    return error as OpenAiError;
  }
  throw new Error('expected a refusal');
}

describe('parseChatRequest', () => {
  it("fills in llama-server's sampling defaults", () => {
    const parsed = parseChatRequest({ messages: [user] });
    expect(parsed).toEqual({
      messages: [{ role: 'user', content: 'hi' }],
      sampling: { maxTokens: undefined, temperature: 0.8, topP: 0.95, topK: 40, minP: 0.05, seed: undefined, stop: [], presencePenalty: 0, frequencyPenalty: 0 },
      stream: false,
      includeUsage: false,
      model: undefined,
    });
  });

  it('takes max_completion_tokens over max_tokens, and a single stop string as a list', () => {
    const parsed = parseChatRequest({ messages: [user], max_tokens: 10, max_completion_tokens: 4, stop: 'END', temperature: 0, seed: 7 });
    expect(parsed.sampling).toMatchObject({ maxTokens: 4, stop: ['END'], temperature: 0, seed: 7 });
  });

  it('treats max_tokens 0 and null as no limit, as llama-server does', () => {
    expect(parseChatRequest({ messages: [user], max_tokens: 0 }).sampling.maxTokens).toBeUndefined();
    expect(parseChatRequest({ messages: [user], max_tokens: null }).sampling.maxTokens).toBeUndefined();
  });

  it('asks for the usage chunk only on streams that set include_usage', () => {
    expect(parseChatRequest({ messages: [user], stream: true, stream_options: { include_usage: true } }).includeUsage).toBe(true);
    expect(parseChatRequest({ messages: [user], stream: true }).includeUsage).toBe(false);
    expect(parseChatRequest({ messages: [user], stream: true, stream_options: null }).includeUsage).toBe(false);
  });

  it('maps developer to system, joins text parts and keeps an assistant message without content', () => {
    const parsed = parseChatRequest({
      messages: [
        { role: 'developer', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
        { role: 'assistant', content: null },
      ],
    });
    expect(parsed.messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'ab' },
      { role: 'assistant', content: '' },
    ]);
  });

  it('ignores fields it has no use for', () => {
    expect(() => parseChatRequest({ messages: [user], user: 'u1', store: false, metadata: { a: 1 }, logprobs: false, tool_choice: 'none' })).not.toThrow();
  });

  it.each([
    [{ messages: [user], n: 3 }, 'n', /one choice/],
    [{ messages: [user], logprobs: true }, 'logprobs', /log probabilities/],
    [{ messages: [user], tools: [{}] }, 'tools', /tools/],
    [{ messages: [user], response_format: { type: 'json_schema' } }, 'response_format', /json_schema/],
    [{ messages: [{ role: 'assistant', content: '', tool_calls: [{}] }] }, 'messages.0.tool_calls', /tools/],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.role', /"tool" is not supported/],
    [{ messages: [{ role: 'user' }] }, 'messages.0.content', /required/],
    [{ messages: [{ role: 'user', content: [{ type: 'input_audio' }] }] }, 'messages.0.content.0', /input_audio/],
    [{ messages: [user], stop: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q'] }, 'stop', /stop/],
    [{ messages: [user], top_p: 1.5 }, 'top_p', /top_p/],
    [{ messages: [user], max_tokens: 2.5 }, 'max_tokens', /max_tokens/],
    [{ messages: 'hi' }, 'messages', /messages/],
  ])('refuses %j with a 400 naming %s', (body, param, message) => {
    const error = refusal(() => parseChatRequest(body));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
    expect(error.toBody()).toEqual({ error: { message: error.message, type: 'invalid_request_error', param, code: error.code } });
  });

  it('refuses a body that is not a JSON object', () => {
    for (const body of [undefined, null, [], 'text', 3]) expect(refusal(() => parseChatRequest(body)).message).toMatch(/JSON object/);
  });
});

describe('parseCompletionRequest', () => {
  it('takes a string, a list of one string, or token ids', () => {
    expect(parseCompletionRequest({ prompt: 'abc' }).prompt).toBe('abc');
    expect(parseCompletionRequest({ prompt: ['abc'] }).prompt).toBe('abc');
    expect(parseCompletionRequest({ prompt: [1, 2, 3] }).prompt).toEqual([1, 2, 3]);
  });

  it.each([
    [{ prompt: ['a', 'b'] }, 'prompt'],
    [{ prompt: 'a', echo: true }, 'echo'],
    [{ prompt: 'a', suffix: 'z' }, 'suffix'],
    [{ prompt: 'a', best_of: 2 }, 'best_of'],
    [{ prompt: [-1] }, 'prompt.0'],
    [{}, 'prompt'],
  ])('refuses %j with a 400 naming %s', (body, param) => {
    const error = refusal(() => parseCompletionRequest(body));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });
});
