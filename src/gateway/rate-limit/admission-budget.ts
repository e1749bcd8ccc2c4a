import type { RateSubject, TokenRequest } from '../gateway-contracts.js';
import { GatewayError } from '../gateway-error.js';
import type { CompletionRequest, CompletionTarget } from '../usage/completion-cap.js';

/**
 * What a request reserves against TPM limits: at least its prompt bound plus one token per
 * choice (it must be able to generate something), at most the prompt bound plus everything it
 * asks to generate. The limiter grants as much of that range as every subject's window holds,
 * atomically, and the gateway caps the request's maximum to the grant, so the tokens an admitted
 * request can use never exceed what it reserved.
 */
export interface AdmissionBudget {
  promptBound: number;
  target: CompletionTarget;
  choices: number;
  tokens: TokenRequest;
}

export function admissionBudget(promptBound: number, target: CompletionTarget, request: CompletionRequest): AdmissionBudget {
  const choices = target === 'none' ? 0 : Math.max(1, request.choices);
  return { promptBound, target, choices, tokens: { min: promptBound + choices, max: promptBound + choices * request.perChoice } };
}

/**
 * A request whose minimum exceeds a subject's whole limit can never be admitted, however long the
 * client waits: 400 (not 429, which clients and SDKs retry) naming the limit, so the client
 * shortens the prompt instead.
 */
export function refuseIfNeverFits(subjects: readonly RateSubject[], budget: AdmissionBudget): void {
  for (const subject of subjects) {
    if (subject.tpm > 0 && budget.tokens.min > subject.tpm) {
      const whose = subject.kind === 'key' ? 'this API key' : 'your user';
      throw new GatewayError(
        400,
        'PROMPT_EXCEEDS_TOKEN_LIMIT',
        `The prompt may use up to ${budget.promptBound} tokens, more than the ${subject.tpm} tokens per minute allowed for ${whose}: shorten it.`,
      );
    }
  }
}

/** Completion tokens per choice the grant leaves (at least 1). */
export function completionCap(budget: AdmissionBudget, granted: number): number {
  if (budget.choices === 0) return 0;
  return Math.max(1, Math.floor((granted - budget.promptBound) / budget.choices));
}
