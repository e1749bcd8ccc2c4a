import type { InferenceKind } from './estimate.js';

/**
 * Where a request names how many tokens it may generate, per API, and how to cap it. Under a TPM
 * limit the gateway writes the cap into every field the runtime might read, so no combination of
 * fields (`max_completion_tokens: 1, max_tokens: 0`, a string, a negative number, llama.cpp's
 * `n_predict` beside `max_tokens`) lets the runtime generate more than was reserved.
 *
 * - `openai`: `max_tokens` and `max_completion_tokens` (chat; vLLM reads the latter first,
 *   llama.cpp and Ollama the former), and `n_predict` when present (llama.cpp prefers it).
 *   `n` (and `best_of` of completions) multiply the completion.
 * - `tgi`: TGI's `/generate` and `/generate_stream`: `parameters.max_new_tokens`
 *   (https://huggingface.github.io/text-generation-inference/).
 * - `ollama`: Ollama's `/api/generate` and `/api/chat`: `options.num_predict` (-1 = unlimited
 *   there; https://github.com/ollama/ollama/blob/main/docs/api.md).
 * - `llamacpp`: llama-server's native `/completion`: `n_predict`.
 * - `none`: embeddings, rerankers and anything else: no completion.
 */
export type CompletionTarget = 'openai-chat' | 'openai-completion' | 'tgi' | 'ollama' | 'llamacpp' | 'none';

/** Completion tokens assumed per choice when a request names no valid maximum. */
export const DEFAULT_COMPLETION_TOKENS = 4096;
/** Choices a request may ask for (`n`, `best_of`) before the gateway stops multiplying: the runtime's own limits are far lower. */
const MAX_CHOICES = 128;

export function completionTarget(kind: InferenceKind, upstreamPath: string): CompletionTarget {
  if (kind === 'chat') return 'openai-chat';
  if (kind === 'completion') return 'openai-completion';
  if (kind === 'embedding') return 'none';
  const query = upstreamPath.indexOf('?');
  const path = query === -1 ? upstreamPath : upstreamPath.slice(0, query);
  if (path.endsWith('/generate') || path.endsWith('/generate_stream')) return path.endsWith('/api/generate') ? 'ollama' : 'tgi';
  if (path.endsWith('/api/chat')) return 'ollama';
  if (path.endsWith('/completion')) return 'llamacpp';
  return 'none';
}

function positiveInteger(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface CompletionRequest {
  /** Tokens asked for per choice (the default when the body names no valid maximum). */
  perChoice: number;
  /** How many sequences the runtime generates. */
  choices: number;
}

/**
 * What a body asks to generate. An invalid or missing value counts as the default: under a limit
 * it is replaced anyway. With several fields the largest counts (a runtime may read any of them).
 */
export function completionRequest(body: Record<string, unknown> | null, target: CompletionTarget): CompletionRequest {
  if (target === 'none') return { perChoice: 0, choices: 0 };
  let asked: Array<number | null> = [];
  let choices = 1;
  if (body) {
    if (target === 'openai-chat' || target === 'openai-completion') {
      asked = [body.max_tokens, body.max_completion_tokens, body.n_predict].filter((value) => value !== undefined).map(positiveInteger);
      choices = Math.max(positiveInteger(body.n) ?? 1, target === 'openai-completion' ? (positiveInteger(body.best_of) ?? 1) : 1);
    } else if (target === 'tgi') {
      const parameters = isObject(body.parameters) ? body.parameters : {};
      if (parameters.max_new_tokens !== undefined && parameters.max_new_tokens !== null) asked = [positiveInteger(parameters.max_new_tokens)];
      choices = positiveInteger(parameters.best_of) ?? 1;
    } else if (target === 'ollama') {
      const options = isObject(body.options) ? body.options : {};
      if (options.num_predict !== undefined) asked = [positiveInteger(options.num_predict)];
    } else if (body.n_predict !== undefined) {
      asked = [positiveInteger(body.n_predict)];
    }
  }
  const valid = asked.length > 0 && asked.every((value) => value !== null);
  const perChoice = valid ? Math.min(DEFAULT_COMPLETION_TOKENS * 64, Math.max(...(asked as number[]))) : DEFAULT_COMPLETION_TOKENS;
  return { perChoice, choices: Math.min(MAX_CHOICES, choices) };
}

/**
 * Writes `perChoice` (≥ 1) as the maximum into every field the target's runtimes read, adding
 * them when absent. Returns the body (changed in place).
 */
export function capCompletion(body: Record<string, unknown>, target: CompletionTarget, perChoice: number): Record<string, unknown> {
  const cap = Math.max(1, Math.floor(perChoice));
  switch (target) {
    case 'openai-chat':
      body.max_tokens = cap;
      body.max_completion_tokens = cap;
      if (body.n_predict !== undefined) body.n_predict = cap;
      break;
    case 'openai-completion':
      body.max_tokens = cap;
      if (body.max_completion_tokens !== undefined) body.max_completion_tokens = cap;
      if (body.n_predict !== undefined) body.n_predict = cap;
      break;
    case 'tgi':
      body.parameters = { ...(isObject(body.parameters) ? body.parameters : {}), max_new_tokens: cap };
      break;
    case 'ollama':
      body.options = { ...(isObject(body.options) ? body.options : {}), num_predict: cap };
      break;
    case 'llamacpp':
      body.n_predict = cap;
      break;
    case 'none':
      break;
  }
  return body;
}
