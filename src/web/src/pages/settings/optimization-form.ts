import type { KnobDescriptor, Optimization, RuntimeDescriptor } from '../../api/types';
import { nonEmptyLines } from '../../lib/form-values';

/**
 * The optimization form holds every knob as text (empty = not set, the runtime's default);
 * booleans are "", "true" or "false". Speculative decoding is three inputs.
 */
export type KnobInputs = Record<string, string>;
export const SPECULATIVE = { method: 'speculativeDecoding.method', draftModel: 'speculativeDecoding.draftModel', tokens: 'speculativeDecoding.numSpeculativeTokens' } as const;

export interface OptimizationInputs {
  knobs: KnobInputs;
  /** One argument per line. */
  extraArgs: string;
  /** KEY=VALUE per line; KEY=secretRef:NAME for a named secret. */
  extraEnv: string;
}

/** How a `{ secretRef }` value is written in the environment lines. */
export const SECRET_REF_PREFIX = 'secretRef:';

export const EMPTY_OPTIMIZATION_INPUTS: OptimizationInputs = { knobs: {}, extraArgs: '', extraEnv: '' };

export function inputsFromOptimization(optimization: Optimization): OptimizationInputs {
  const knobs: KnobInputs = {};
  for (const [key, value] of Object.entries({ ...optimization.tier1, ...optimization.tier2 })) {
    if (value === undefined) continue;
    if (typeof value === 'object') {
      knobs[SPECULATIVE.method] = value.method;
      knobs[SPECULATIVE.draftModel] = value.draftModel ?? '';
      knobs[SPECULATIVE.tokens] = String(value.numSpeculativeTokens);
    } else {
      knobs[key] = String(value);
    }
  }
  return {
    knobs,
    extraArgs: (optimization.raw?.extraArgs ?? []).join('\n'),
    extraEnv: Object.entries(optimization.raw?.extraEnv ?? {})
      .map(([name, value]) => `${name}=${typeof value === 'string' ? value : `${SECRET_REF_PREFIX}${value.secretRef}`}`)
      .join('\n'),
  };
}

type KnobValue = string | number | boolean | { method: string; draftModel?: string; numSpeculativeTokens: number };

/** One knob's value from its text, or a message; undefined when not set. */
function knobValue(knob: KnobDescriptor, knobs: KnobInputs): { value?: KnobValue; problem?: string } {
  if (knob.type === 'speculative') {
    const method = knobs[SPECULATIVE.method] ?? '';
    if (!method) return {};
    const tokens = Number((knobs[SPECULATIVE.tokens] ?? '').trim());
    if (!Number.isInteger(tokens) || tokens < 1 || tokens > 32) return { problem: 'Speculative tokens: enter a whole number from 1 to 32.' };
    const draftModel = (knobs[SPECULATIVE.draftModel] ?? '').trim();
    return { value: { method, numSpeculativeTokens: tokens, ...(draftModel ? { draftModel } : {}) } };
  }
  const text = (knobs[knob.key] ?? '').trim();
  if (!text) return {};
  switch (knob.type) {
    case 'boolean':
      return { value: text === 'true' };
    case 'enum':
    case 'duration':
      return { value: text };
    case 'integer-or-all':
      if (text === 'all') return { value: text };
      return numeric(knob, text, true);
    default:
      return numeric(knob, text, knob.type === 'integer');
  }
}

function numeric(knob: KnobDescriptor, text: string, integer: boolean): { value?: number; problem?: string } {
  const value = Number(text);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) return { problem: integer ? 'Enter a whole number.' : 'Enter a number.' };
  if (knob.min !== undefined && value < knob.min) return { problem: `Enter at least ${knob.min}.` };
  if (knob.max !== undefined && value > knob.max) return { problem: `Enter at most ${knob.max}.` };
  return { value };
}

/**
 * The optimization for the runtime's knobs, or the problems by input key ("extraEnv" for the
 * environment lines). Only the runtime's own knobs are read, so nothing it lacks is sent.
 */
export function optimizationFromInputs(inputs: OptimizationInputs, runtime: RuntimeDescriptor): { optimization: Optimization; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const tiers: Record<'tier1' | 'tier2', Record<string, KnobValue>> = { tier1: {}, tier2: {} };
  for (const tier of ['tier1', 'tier2'] as const) {
    for (const knob of runtime.knobs[tier]) {
      const { value, problem } = knobValue(knob, inputs.knobs);
      if (problem) problems[knob.type === 'speculative' ? SPECULATIVE.tokens : knob.key] = problem;
      else if (value !== undefined) tiers[tier][knob.key] = value;
    }
  }
  const extraArgs = nonEmptyLines(inputs.extraArgs);
  const extraEnv: Record<string, string | { secretRef: string }> = {};
  for (const line of nonEmptyLines(inputs.extraEnv)) {
    const equals = line.indexOf('=');
    if (equals <= 0) {
      problems.extraEnv = `"${line}" is not KEY=VALUE.`;
      continue;
    }
    const value = line.slice(equals + 1);
    extraEnv[line.slice(0, equals).trim()] = value.startsWith(SECRET_REF_PREFIX) ? { secretRef: value.slice(SECRET_REF_PREFIX.length).trim() } : value;
  }
  const raw = { ...(extraArgs.length > 0 ? { extraArgs } : {}), ...(Object.keys(extraEnv).length > 0 ? { extraEnv } : {}) };
  const optimization = {
    ...(Object.keys(tiers.tier1).length > 0 ? { tier1: tiers.tier1 } : {}),
    ...(Object.keys(tiers.tier2).length > 0 ? { tier2: tiers.tier2 } : {}),
    ...(Object.keys(raw).length > 0 ? { raw } : {}),
  } as Optimization;
  return { optimization, problems };
}

/** "max model length 32768, prefix caching on, +2 args" for the presets table. */
export function optimizationSummary(optimization: Optimization, runtime: RuntimeDescriptor | undefined): string {
  const labels = new Map([...(runtime?.knobs.tier1 ?? []), ...(runtime?.knobs.tier2 ?? [])].map((knob) => [knob.key, knob.label]));
  const parts: string[] = [];
  for (const [key, value] of Object.entries({ ...optimization.tier1, ...optimization.tier2 })) {
    if (value === undefined) continue;
    const shown = typeof value === 'boolean' ? (value ? 'on' : 'off') : typeof value === 'object' ? value.method : String(value);
    parts.push(`${labels.get(key as KnobDescriptor['key']) ?? key} ${shown}`);
  }
  const args = optimization.raw?.extraArgs?.length ?? 0;
  const env = Object.keys(optimization.raw?.extraEnv ?? {}).length;
  if (args) parts.push(`+${args} ${args === 1 ? 'arg' : 'args'}`);
  if (env) parts.push(`+${env} env`);
  return parts.join(', ') || 'runtime defaults';
}
