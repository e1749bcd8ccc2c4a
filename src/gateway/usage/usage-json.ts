import type { TokenUsage } from '../gateway-contracts.js';

const USAGE_KEY = '"usage"';

/** The index just past the JSON value starting at `start` (an object), or -1 when it does not end in `text`. */
function endOfObject(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c /* \ */) i += 1;
      else if (code === 0x22 /* " */) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x7b /* { */) {
      depth += 1;
    } else if (code === 0x7d /* } */) {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function toUsage(value: unknown): TokenUsage | null {
  if (value === null || typeof value !== 'object') return null;
  const record = value as Record<string, unknown>;
  const prompt = record.prompt_tokens;
  const completion = record.completion_tokens;
  if (typeof prompt !== 'number' && typeof completion !== 'number') return null;
  return {
    promptTokens: typeof prompt === 'number' && Number.isFinite(prompt) && prompt >= 0 ? Math.floor(prompt) : 0,
    completionTokens: typeof completion === 'number' && Number.isFinite(completion) && completion >= 0 ? Math.floor(completion) : 0,
  };
}

/**
 * The last `"usage": {…}` object in a JSON text, without parsing the rest: answers can be large
 * (embeddings) and `usage` sits near their end. A `"usage"` inside a string cannot match (its
 * quotes would be escaped). `null` when there is none, it is `null`, or it has no token counts.
 */
export function findUsage(text: string): TokenUsage | null {
  let at = text.lastIndexOf(USAGE_KEY);
  while (at !== -1) {
    let i = at + USAGE_KEY.length;
    while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d || text.charCodeAt(i) === 0x09)) i += 1;
    if (text.charCodeAt(i) === 0x3a /* : */) {
      i += 1;
      while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d || text.charCodeAt(i) === 0x09)) i += 1;
      if (text.charCodeAt(i) === 0x7b) {
        const end = endOfObject(text, i);
        if (end !== -1) {
          try {
            return toUsage(JSON.parse(text.slice(i, end)));
          } catch {
            return null;
          }
        }
      }
      return null;
    }
    at = at === 0 ? -1 : text.lastIndexOf(USAGE_KEY, at - 1);
  }
  return null;
}

/** The usage of a parsed answer or chunk (`{usage: {...}}`), or null. */
export function usageOf(value: unknown): TokenUsage | null {
  if (value === null || typeof value !== 'object') return null;
  return toUsage((value as { usage?: unknown }).usage);
}
