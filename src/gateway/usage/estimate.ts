/**
 * The token estimate reserved against a TPM limit when a request is admitted: the prompt at
 * about four characters a token, plus the completion it may generate (`max_tokens`, or a default
 * when it names none). The reservation is replaced by the real usage when the answer ends.
 */

/** Completion tokens assumed when a generating request names no `max_tokens`. */
export const DEFAULT_COMPLETION_ESTIMATE = 256;
const CHARS_PER_TOKEN = 4;

/** What kind of call a request is: it decides whether a completion is expected. */
export type InferenceKind = 'chat' | 'completion' | 'embedding' | 'other';

/** The kind of an OpenAI-style path (`/v1/chat/completions`, `/chat/completions`, …). */
export function kindOfPath(path: string): InferenceKind {
  const end = path.indexOf('?');
  const bare = end === -1 ? path : path.slice(0, end);
  if (bare.endsWith('/chat/completions')) return 'chat';
  if (bare.endsWith('/completions')) return 'completion';
  if (bare.endsWith('/embeddings')) return 'embedding';
  return 'other';
}

function textLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) {
    let total = 0;
    for (const item of value) {
      if (typeof item === 'string') total += item.length;
      else if (typeof item === 'number') total += CHARS_PER_TOKEN;
      else if (item && typeof item === 'object') {
        const part = item as { text?: unknown; content?: unknown };
        total += textLength(part.text) + textLength(part.content);
      }
    }
    return total;
  }
  return 0;
}

/** Characters of prompt in a parsed body: messages' contents, `prompt`, or `input`. */
export function promptChars(body: Record<string, unknown>): number {
  let total = 0;
  const messages = body.messages;
  if (Array.isArray(messages)) {
    for (const message of messages) {
      if (message && typeof message === 'object') total += textLength((message as { content?: unknown }).content);
    }
  }
  total += textLength(body.prompt);
  total += textLength(body.input);
  return total;
}

function completionBudget(body: Record<string, unknown> | undefined, kind: InferenceKind): number {
  if (kind === 'embedding' || kind === 'other') return 0;
  const max = body?.max_completion_tokens ?? body?.max_tokens;
  return typeof max === 'number' && Number.isFinite(max) && max > 0 ? Math.floor(max) : DEFAULT_COMPLETION_ESTIMATE;
}

/** Estimate from a parsed JSON body. */
export function estimateTokens(body: Record<string, unknown> | undefined, kind: InferenceKind): number {
  const prompt = body ? Math.ceil(promptChars(body) / CHARS_PER_TOKEN) : 0;
  return prompt + completionBudget(body, kind);
}

const MAX_TOKENS = /"max(?:_completion)?_tokens"\s*:\s*(\d{1,9})/;

/**
 * Estimate from a body that is passed through unparsed: its bytes stand for the prompt (JSON
 * syntax makes it a slight over-estimate), `max_tokens` is read with a pattern.
 */
export function estimateTokensFromBytes(body: Buffer | undefined, kind: InferenceKind): number {
  if (!body || body.length === 0) return kind === 'chat' || kind === 'completion' ? DEFAULT_COMPLETION_ESTIMATE : 0;
  const prompt = Math.ceil(body.length / CHARS_PER_TOKEN);
  if (kind === 'embedding' || kind === 'other') return prompt;
  const match = MAX_TOKENS.exec(body.length > 65_536 ? body.toString('latin1', body.length - 65_536) + body.toString('latin1', 0, 4096) : body.toString('latin1'));
  const max = match ? Number(match[1]) : 0;
  return prompt + (max > 0 ? max : DEFAULT_COMPLETION_ESTIMATE);
}
