import { GatewayError } from '../gateway-error.js';
import type { InferenceKind } from './estimate.js';

/**
 * Reading an inference request body, once: parse it as JSON (whatever its content type says — a
 * client that forgets the header, or sends `text/plain` on purpose, gets the same treatment), then
 * walk it once, without recursion, to bound its nesting and its prompt.
 *
 * Keys are read from the parsed object, never from the bytes: `"\u0073tream"` is `stream`.
 */

/** Deepest nesting accepted (objects and arrays; the body itself is level 1). Real requests nest 5–10 deep. */
export const MAX_BODY_DEPTH = 64;

/**
 * Tokens a chat template may add per message beyond its text: ChatML wraps each message in
 * `<|im_start|>`, the role, `\n`, `<|im_end|>`, `\n` (5); Llama 3 in `<|start_header_id|>`, the
 * role, `<|end_header_id|>`, `\n\n`, `<|eot_id|>` (5). 8 leaves room for templates with more.
 */
export const TEMPLATE_TOKENS_PER_MESSAGE = 8;
/**
 * Tokens a chat template may add once per request: BOS, the generation prompt
 * (`<|im_start|>assistant\n`), and default system text some templates insert (Llama 3.1's
 * knowledge-cutoff and date lines are ~25 tokens, Qwen 2.5's default system prompt ~20).
 */
export const TEMPLATE_TOKENS_PER_REQUEST = 64;
/** Tokens a tokenizer may add around each prompt of a completion or embedding input (BOS, EOS). */
export const SPECIAL_TOKENS_PER_PROMPT = 2;

/** Fields of OpenAI bodies whose text reaches the model's input. Everything else is a parameter. */
const PROMPT_FIELDS = new Set(['messages', 'prompt', 'input', 'suffix', 'tools', 'functions', 'tool_choice', 'function_call', 'response_format', 'documents']);

export interface ReadBody {
  body: Record<string, unknown>;
  /**
   * Upper bound of the prompt's tokens: every token of a byte-level BPE or byte-fallback
   * vocabulary covers at least one UTF-8 byte of the text it encodes, so a text of n bytes is at
   * most n tokens; each value also counts one byte more (separators, quotes a template adds),
   * keys under prompt fields count (tool schemas are rendered as JSON), numbers count their
   * digits (and a token-id array one token per id), plus the template's special tokens above.
   */
  promptBound: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const tooDeep = () =>
  new GatewayError(400, 'NESTING_TOO_DEEP', `The request body nests deeper than ${MAX_BODY_DEPTH} levels of objects and arrays.`);

/** Parses `raw` as a JSON object; 400 INVALID_JSON when it is not one. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GatewayError(400, 'INVALID_JSON', 'The request body is not valid JSON.');
  }
  if (!isObject(value)) throw new GatewayError(400, 'INVALID_JSON', 'The request body is not a JSON object.');
  return value;
}

/**
 * Walks a parsed body once (an explicit stack: 200 000 levels cannot overflow it, and the depth
 * limit refuses them first) and returns its prompt bound. `wholeBody`: every value counts (bodies
 * of runtime-native APIs, whose prompt fields H-MAS does not enumerate).
 */
export function promptBoundOf(body: Record<string, unknown>, kind: InferenceKind, wholeBody: boolean): number {
  let bytes = 0;
  const stack: Array<{ value: unknown; depth: number }> = [];
  for (const key of Object.keys(body)) {
    if (wholeBody || PROMPT_FIELDS.has(key)) stack.push({ value: body[key], depth: 2 });
    if (wholeBody) bytes += Buffer.byteLength(key) + 1;
  }
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') {
      bytes += Buffer.byteLength(value) + 1;
    } else if (value !== null && typeof value === 'object') {
      if (depth > MAX_BODY_DEPTH) throw tooDeep();
      bytes += 2;
      if (Array.isArray(value)) {
        for (const item of value) stack.push({ value: item, depth: depth + 1 });
      } else {
        for (const key of Object.keys(value)) {
          bytes += Buffer.byteLength(key) + 1;
          stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1 });
        }
      }
    } else if (value !== undefined) {
      bytes += String(value).length;
    }
  }
  // Parameters outside the prompt fields are not counted but may still nest: bound them too.
  if (!wholeBody) checkDepth(body);
  return bytes + templateTokens(body, kind);
}

function templateTokens(body: Record<string, unknown>, kind: InferenceKind): number {
  const messages = body.messages;
  if (Array.isArray(messages)) return TEMPLATE_TOKENS_PER_REQUEST + TEMPLATE_TOKENS_PER_MESSAGE * messages.length;
  if (kind === 'chat') return TEMPLATE_TOKENS_PER_REQUEST;
  const prompts = body.prompt ?? body.input;
  return SPECIAL_TOKENS_PER_PROMPT * (Array.isArray(prompts) ? Math.max(1, prompts.length) : 1);
}

/** Refuses nesting deeper than MAX_BODY_DEPTH anywhere in `body`, without recursion. */
function checkDepth(body: Record<string, unknown>): void {
  const stack: Array<{ value: unknown; depth: number }> = [];
  for (const key of Object.keys(body)) if (!PROMPT_FIELDS.has(key)) stack.push({ value: body[key], depth: 2 });
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_BODY_DEPTH) throw tooDeep();
    for (const item of Array.isArray(value) ? value : Object.values(value)) {
      if (item !== null && typeof item === 'object') stack.push({ value: item, depth: depth + 1 });
    }
  }
}

/** Parses and bounds an OpenAI body (`/v1/*`, and the OpenAI paths under `/api/inference/:name`). */
export function readOpenAiBody(raw: Buffer, kind: InferenceKind): ReadBody {
  const body = parseJsonObject(raw);
  return { body, promptBound: promptBoundOf(body, kind, false) };
}

/**
 * Reads a runtime-native body (`/generate`, `/api/chat`, …): a JSON object is parsed and bounded
 * as a whole; anything else is bounded by its byte count plus special tokens.
 */
export function readNativeBody(raw: Buffer | null, kind: InferenceKind): { body: Record<string, unknown> | null; promptBound: number } {
  if (!raw || raw.length === 0) return { body: null, promptBound: 0 };
  let body: Record<string, unknown> | null = null;
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    if (isObject(value)) body = value;
  } catch {
    // Not JSON (a form, audio): its bytes bound it.
  }
  if (!body) return { body: null, promptBound: raw.length + TEMPLATE_TOKENS_PER_REQUEST };
  return { body, promptBound: promptBoundOf(body, kind, true) + TEMPLATE_TOKENS_PER_REQUEST };
}
