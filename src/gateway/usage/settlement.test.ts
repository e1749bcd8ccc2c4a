import { describe, expect, it } from 'vitest';
import { tokensToSettle, type SettlementFacts } from './settlement.js';

const base: SettlementFacts = {
  reserved: 500,
  promptBound: 100,
  dispatched: true,
  completed: true,
  statusCode: 200,
  streaming: false,
  usage: null,
  contentEvents: 0,
  dataBytes: 0,
  events: 0,
};

describe('tokensToSettle', () => {
  it('charges nothing for a request no runtime saw', () => {
    expect(tokensToSettle({ ...base, dispatched: false, completed: false }, 500)).toBe(0);
  });

  it('charges the runtime usage, or what passed through when the runtime reports less', () => {
    expect(tokensToSettle({ ...base, usage: { promptTokens: 20, completionTokens: 30 } }, 500)).toBe(50);
    expect(tokensToSettle({ ...base, streaming: true, usage: { promptTokens: 20, completionTokens: 1 }, contentEvents: 40 }, 500)).toBe(60);
  });

  it('charges the reservation when the outcome is unknown (timeout, cut, client gone)', () => {
    expect(tokensToSettle({ ...base, completed: false, statusCode: 504 }, 500)).toBe(500);
    expect(tokensToSettle({ ...base, completed: false, streaming: true, contentEvents: 700 }, 500)).toBe(700);
  });

  it('bounds a stream without usage by its bytes, at most the reservation', () => {
    expect(tokensToSettle({ ...base, streaming: true, dataBytes: 50, events: 5, contentEvents: 3 }, 500)).toBe(155);
    expect(tokensToSettle({ ...base, streaming: true, dataBytes: 5000, events: 50 }, 500)).toBe(500);
    expect(tokensToSettle({ ...base, streaming: true, dataBytes: Number.POSITIVE_INFINITY }, 500)).toBe(500);
  });

  it('charges an answer without usage its upper bound, and a refusal by the runtime nothing', () => {
    expect(tokensToSettle({ ...base }, 300)).toBe(300);
    expect(tokensToSettle({ ...base }, 0)).toBe(0);
    expect(tokensToSettle({ ...base, statusCode: 400 }, 300)).toBe(0);
  });
});
