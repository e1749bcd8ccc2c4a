import type { TokenUsage } from '../gateway-contracts.js';

/** What the gateway knows about a request when it ends. */
export interface SettlementFacts {
  /** Tokens granted at admission: an upper bound of what the runtime could use (its maximum was capped to it). */
  reserved: number;
  /** Upper bound of the prompt's tokens (see request-body.ts). */
  promptBound: number;
  /** Whether the request was sent to a runtime (it may have used tokens). */
  dispatched: boolean;
  /** Whether the runtime's answer ended normally (false: timeout, upstream cut, client gone). */
  completed: boolean;
  statusCode: number;
  streaming: boolean;
  /** The runtime's own count, when its answer carried one. */
  usage: TokenUsage | null;
  /** Stream events that carried generated text: each holds at least one token (a lower bound). */
  contentEvents: number;
  /** Bytes of the stream's `data:` values, and their count (see below). */
  dataBytes: number;
  events: number;
}

/**
 * The tokens a request is charged: never less than observed, and the reserved upper bound when
 * the outcome is unknown.
 *
 * - Not sent to a runtime: 0.
 * - The runtime reported usage: the larger of it and what passed through (generated-text events,
 *   each at least one token), so a runtime that under-reports cannot lower the charge.
 * - The answer did not end normally (504, upstream cut, client gone mid-answer): the runtime may
 *   have generated up to its capped maximum, so the reservation, or what was seen if more.
 * - A stream without usage: the prompt bound plus an upper bound of its completion — every token
 *   decodes to at least one byte of text, which sits JSON-escaped (never shorter) inside a
 *   `data:` value, and a token that decodes to nothing (end of sequence) ends an event; so
 *   data bytes + events — at most the reservation.
 * - Any other answer without usage: a 2xx at most its reservation (`upperBound`, e.g. 0 for a
 *   model listing), an error 0 (the runtime refused before generating).
 */
export function tokensToSettle(facts: SettlementFacts, upperBound: number): number {
  if (!facts.dispatched) return 0;
  const seen = facts.usage ? facts.usage.promptTokens + Math.max(facts.usage.completionTokens, facts.contentEvents) : facts.contentEvents;
  if (!facts.completed) return Math.max(seen, facts.reserved);
  if (facts.usage) return seen;
  const ok = facts.statusCode >= 200 && facts.statusCode < 300;
  if (!ok) return seen;
  if (facts.streaming) return Math.max(seen, Math.min(facts.reserved, facts.promptBound + facts.dataBytes + facts.events));
  return Math.max(seen, Math.min(facts.reserved, upperBound));
}
