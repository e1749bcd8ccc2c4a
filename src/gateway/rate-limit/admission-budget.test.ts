import { describe, expect, it } from 'vitest';
import { GatewayError } from '../gateway-error.js';
import { admissionBudget, completionCap, refuseIfNeverFits } from './admission-budget.js';

describe('admission budget', () => {
  it('reserves from the prompt bound plus one token per choice up to the whole completion asked for', () => {
    expect(admissionBudget(100, 'openai-chat', { perChoice: 50, choices: 2 }).tokens).toEqual({ min: 102, max: 200 });
    expect(admissionBudget(100, 'none', { perChoice: 0, choices: 0 }).tokens).toEqual({ min: 100, max: 100 });
  });

  it('caps each choice to what the grant leaves after the prompt', () => {
    const budget = admissionBudget(100, 'openai-chat', { perChoice: 500, choices: 2 });
    expect(completionCap(budget, 301)).toBe(100);
    expect(completionCap(budget, 102)).toBe(1);
  });

  it('refuses with 400 a prompt that can never fit a subject’s whole limit', () => {
    const budget = admissionBudget(1000, 'openai-chat', { perChoice: 10, choices: 1 });
    expect(() => refuseIfNeverFits([{ kind: 'key', id: 'k', rpm: 0, tpm: 1000 }], budget)).toThrow(GatewayError);
    expect(() => refuseIfNeverFits([{ kind: 'key', id: 'k', rpm: 0, tpm: 1001 }, { kind: 'user', id: 'u', rpm: 5, tpm: 0 }], budget)).not.toThrow();
  });
});
