import { describe, expect, it } from 'vitest';
import { GatewayError } from '../gateway-error.js';
import { MAX_BODY_DEPTH, readNativeBody, readOpenAiBody, TEMPLATE_TOKENS_PER_MESSAGE, TEMPLATE_TOKENS_PER_REQUEST } from './request-body.js';

const raw = (value: unknown) => Buffer.from(JSON.stringify(value));

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return `${error.statusCode} ${error.code}`;
    throw error;
  }
  return 'no error';
}

describe('readOpenAiBody', () => {
  it('reads keys from the parsed object, so an escaped key is the key', () => {
    const { body } = readOpenAiBody(Buffer.from('{"\\u0073tream": true, "model": "m"}'), 'chat');
    expect(body.stream).toBe(true);
  });

  it('bounds the prompt by its UTF-8 bytes, not its characters: an emoji is 4 tokens at most, not a quarter', () => {
    const emoji = '😀'.repeat(100);
    const { promptBound } = readOpenAiBody(raw({ model: 'm', messages: [{ role: 'user', content: emoji }] }), 'chat');
    expect(promptBound).toBeGreaterThanOrEqual(400 + TEMPLATE_TOKENS_PER_REQUEST + TEMPLATE_TOKENS_PER_MESSAGE);
    // Parameters are not prompt: a long `user` field or `model` adds nothing.
    const same = readOpenAiBody(raw({ model: 'm'.repeat(500), user: 'u'.repeat(500), messages: [{ role: 'user', content: emoji }] }), 'chat');
    expect(same.promptBound).toBe(promptBound);
  });

  it('counts tools (rendered into the prompt) and token-id prompts', () => {
    const plain = readOpenAiBody(raw({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }), 'chat').promptBound;
    const withTools = readOpenAiBody(raw({ model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'f', description: 'd'.repeat(300) } }] }), 'chat').promptBound;
    expect(withTools - plain).toBeGreaterThan(300);
    expect(readOpenAiBody(raw({ model: 'm', prompt: [1, 2, 3, 4, 5] }), 'completion').promptBound).toBeGreaterThanOrEqual(5);
  });

  it('refuses what is not a JSON object with 400 INVALID_JSON', () => {
    expect(codeOf(() => readOpenAiBody(Buffer.from('{"model": '), 'chat'))).toBe('400 INVALID_JSON');
    expect(codeOf(() => readOpenAiBody(Buffer.from('[1]'), 'chat'))).toBe('400 INVALID_JSON');
  });

  it('refuses nesting beyond the limit anywhere in the body with 400 NESTING_TOO_DEEP, without overflowing the stack', () => {
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    expect(codeOf(() => readOpenAiBody(Buffer.from(`{"model":"m","messages":[{"role":"user","content":${deep(200_000)}}]}`), 'chat'))).toBe('400 NESTING_TOO_DEEP');
    expect(codeOf(() => readOpenAiBody(Buffer.from(`{"model":"m","metadata":${deep(200_000)}}`), 'chat'))).toBe('400 NESTING_TOO_DEEP');
    // The body is level 1, `messages` 2, a message 3, its content 4.
    expect(codeOf(() => readOpenAiBody(Buffer.from(`{"messages":[{"content":${deep(MAX_BODY_DEPTH - 3)}}]}`), 'chat'))).toBe('no error');
    expect(codeOf(() => readOpenAiBody(Buffer.from(`{"messages":[{"content":${deep(MAX_BODY_DEPTH - 2)}}]}`), 'chat'))).toBe('400 NESTING_TOO_DEEP');
  });
});

describe('readNativeBody', () => {
  it('bounds a JSON body as a whole and anything else by its bytes', () => {
    const json = readNativeBody(raw({ inputs: 'x'.repeat(100), parameters: { max_new_tokens: 5 } }), 'other');
    expect(json.body).toMatchObject({ inputs: 'x'.repeat(100) });
    expect(json.promptBound).toBeGreaterThan(100);
    const binary = readNativeBody(Buffer.alloc(1000, 0xff), 'other');
    expect(binary).toEqual({ body: null, promptBound: 1000 + TEMPLATE_TOKENS_PER_REQUEST });
    expect(readNativeBody(null, 'other')).toEqual({ body: null, promptBound: 0 });
  });
});
