import { z } from 'zod';
import {
  checkOptimization,
  KNOB_KEYS,
  KNOBS,
  knobValue,
  normalizeOptimization,
  optimizationSchema,
  TIER1_KNOBS,
  TIER2_KNOBS,
  type KnobDescriptor,
  type KnobKey,
  type Optimization,
  type OptimizationIssue,
  type RuntimeDescriptor,
} from '../domain/optimization.js';
import { isSecretRef } from '../domain/secret-ref.js';
import { ValidationError } from '../lib/errors.js';
import type { InferenceRoute, KnobMapping, RenderContext, RenderResult, RuntimeAdapter, RuntimeSpec } from './runtime-adapter.js';

// The render context comes from other services (deployments), so it is checked here too: a model
// path with a line break or a port out of range must not reach a manifest.
// eslint-disable-next-line no-control-regex
const SAFE_TEXT = /^[^\u0000\r\n]{1,4096}$/;
const contextSchema = z.object({
  model: z.string().regex(SAFE_TEXT, 'context.model must be 1–4096 characters without NUL or line breaks.'),
  port: z.number().int().min(1).max(65_535, 'context.port must be 1–65535.').optional(),
  host: z.string().regex(/^[A-Za-z0-9.:[\]-]{1,255}$/, 'context.host must be an IP address or host name.').optional(),
  servedModelName: z.string().regex(SAFE_TEXT, 'context.servedModelName must be 1–4096 characters without NUL or line breaks.').optional(),
});

function issuesOf(error: z.ZodError, prefix = ''): OptimizationIssue[] {
  return error.issues.map((issue) => ({ path: `${prefix}/${issue.path.join('/')}`, message: issue.message }));
}

function summarize(what: string, issues: OptimizationIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => `${issue.path.replace(/^\//, '').replace(/\//g, '.') || 'optimization'}: ${issue.message.replace(/\.$/, '')}`);
  return `${what} — ${shown.join('; ')}${issues.length > 3 ? `; and ${issues.length - 3} more` : ''}.`;
}

/** The flag part of an argument: `--max-model-len=8` and `--max-model-len` are the same flag. */
function flagName(arg: string): string | undefined {
  return arg.startsWith('-') && arg.length > 1 ? arg.split('=')[0] : undefined;
}

function describeKnob(key: KnobKey, mapping: KnobMapping<KnobKey>): KnobDescriptor {
  const info = KNOBS[key];
  return {
    key,
    label: info.label,
    description: info.description,
    type: info.type,
    target: mapping.target,
    ...(mapping.values ? { values: [...mapping.values] } : {}),
    ...(info.min !== undefined ? { min: info.min } : {}),
    ...(info.max !== undefined ? { max: info.max } : {}),
  };
}

/** Builds an adapter from its spec: validation, rendering and the descriptor are shared. */
export function defineRuntime(spec: RuntimeSpec): RuntimeAdapter {
  const table = spec.knobs as Partial<Record<KnobKey, KnobMapping<KnobKey>>>;
  const described = (keys: readonly KnobKey[]) => keys.flatMap((key) => (table[key] ? [describeKnob(key, table[key])] : []));
  const descriptor: RuntimeDescriptor = {
    id: spec.id,
    displayName: spec.displayName,
    workloads: [...spec.workloads],
    image: spec.image ? { ...spec.image } : null,
    command: { host: [...spec.command.host], container: spec.command.container ? [...spec.command.container] : null },
    port: spec.port,
    healthPath: spec.healthPath,
    metricsPath: spec.metricsPath,
    openaiBasePath: spec.openaiBasePath,
    supportsIncludeUsage: spec.supportsIncludeUsage,
    supportedFormats: [...spec.supportedFormats],
    docs: [...spec.docs],
    knobs: { tier1: described(TIER1_KNOBS), tier2: described(TIER2_KNOBS), raw: { ...spec.raw } },
    unsupported: KNOB_KEYS.filter((key) => !table[key]).map((key) => ({
      key,
      message: spec.unsupported[key] ?? `${spec.displayName} has no ${KNOBS[key].label} setting.`,
    })),
    conflicts: (spec.conflicts ?? []).map((conflict) => ({ knobs: [...conflict.knobs], message: conflict.message })),
  };

  function validate(optimization: Optimization): { errors: OptimizationIssue[]; unsupported: OptimizationIssue[] } {
    const parsed = optimizationSchema.safeParse(optimization);
    if (!parsed.success) return { errors: issuesOf(parsed.error), unsupported: [] };
    const normalized = normalizeOptimization(parsed.data);
    const { errors, unsupported } = checkOptimization(normalized, descriptor);
    errors.push(...apiKeyOverrides(spec, normalized));
    if (errors.length === 0) errors.push(...(spec.check?.(normalized) ?? []));
    return { errors, unsupported };
  }

  function render(optimization: Optimization, context: RenderContext): RenderResult {
    const ctx = contextSchema.safeParse(context);
    if (!ctx.success) {
      const issues = issuesOf(ctx.error, '/context');
      throw new ValidationError(summarize(`Invalid render context for ${spec.displayName}`, issues), { issues });
    }
    const { errors, unsupported } = validate(optimization);
    if (errors.length > 0) throw new ValidationError(summarize(`Invalid optimization for ${spec.displayName}`, errors), { issues: errors });
    const normalized = normalizeOptimization(optimizationSchema.parse(optimization));

    const base = spec.base({
      model: ctx.data.model,
      port: ctx.data.port ?? spec.port,
      host: ctx.data.host ?? '0.0.0.0',
      ...(ctx.data.servedModelName !== undefined ? { servedModelName: ctx.data.servedModelName } : {}),
    });
    const args = [...base.args];
    const env: Record<string, string> = { ...base.env };
    const warnings: OptimizationIssue[] = [...unsupported];

    for (const key of KNOB_KEYS) {
      const mapping = table[key];
      const value = knobValue(normalized, key);
      if (!mapping || value === undefined) continue;
      const out = mapping.render(value, normalized);
      args.push(...(out.args ?? []));
      Object.assign(env, out.env ?? {});
      warnings.push(...(out.warnings ?? []));
    }

    const raw = normalized.raw ?? {};
    if (raw.extraArgs && spec.raw.extraArgs) {
      const rendered = new Set(args.map(flagName).filter((flag): flag is string => flag !== undefined));
      for (const [index, arg] of raw.extraArgs.entries()) {
        const flag = flagName(arg);
        if (flag && rendered.has(flag)) {
          warnings.push({
            path: `/raw/extraArgs/${index}`,
            message: `${flag} is already rendered from the settings; ${spec.displayName} gets it twice and decides which one wins.`,
          });
        }
      }
      // Each entry stays one argv entry: never split, quoted or joined into a shell line.
      args.push(...raw.extraArgs);
    }
    // Variables from secrets are rendered as references only: their values are added where the
    // replica starts (local driver) or by the kubelet (secretKeyRef), never into a command.
    const secretEnv: Record<string, string> = {};
    if (raw.extraEnv && spec.raw.extraEnv) {
      for (const [name, value] of Object.entries(raw.extraEnv)) {
        if (name in env) warnings.push({ path: `/raw/extraEnv/${name}`, message: `extraEnv ${name} replaces the value rendered from the settings.` });
        if (isSecretRef(value)) {
          delete env[name];
          secretEnv[name] = value.secretRef;
        } else {
          env[name] = value;
        }
      }
    }
    return { args, env, ...(Object.keys(secretEnv).length > 0 ? { secretEnv } : {}), warnings };
  }

  return { ...spec, render, validate, describe: () => structuredClone(descriptor) };
}

/**
 * Raw settings that would set the replica's API key: H-MAS sets it itself (a random token per
 * replica that only the gateway knows), and a key chosen in the settings would let anything on
 * the host that reads the settings past the gateway.
 */
function apiKeyOverrides(spec: RuntimeSpec, optimization: Optimization): OptimizationIssue[] {
  const { apiKey } = spec;
  if (apiKey.env === null) return [];
  const issues: OptimizationIssue[] = [];
  const message = (what: string) => `${what} is set by H-MAS: each replica gets a token only the gateway knows, so the gateway is the only way in.`;
  if (optimization.raw?.extraEnv && Object.hasOwn(optimization.raw.extraEnv, apiKey.env)) {
    issues.push({ path: `/raw/extraEnv/${apiKey.env}`, message: message(apiKey.env) });
  }
  for (const [index, arg] of (optimization.raw?.extraArgs ?? []).entries()) {
    if (apiKey.flag !== null && flagName(arg) === apiKey.flag) issues.push({ path: `/raw/extraArgs/${index}`, message: message(apiKey.flag) });
  }
  return issues;
}

// Small builders for the common shapes, so the adapter files read as tables.

/** Inference routes of one method, all documented on `doc`. */
export function routes(method: InferenceRoute['method'], doc: string, ...paths: string[]): InferenceRoute[] {
  return paths.map((path) => ({ method, path, doc }));
}

/** `--flag VALUE`. */
export function flag<K extends KnobKey>(name: string, options: { values?: readonly string[] } = {}): KnobMapping<K> {
  return { target: name, ...(options.values ? { values: options.values } : {}), render: (value) => ({ args: [name, String(value)] }) };
}

/** `--on` when true, `--off` when false; with `off` null, false renders nothing (the runtime's default). */
export function toggle<K extends KnobKey>(on: string, off: string | null): KnobMapping<K> {
  return {
    target: off ? `${on} / ${off}` : on,
    render: (value) => (value === true ? { args: [on] } : off ? { args: [off] } : {}),
  };
}

/** An environment variable; `format` turns the value into the variable's text. */
export function envVar<K extends KnobKey>(
  name: string,
  options: { values?: readonly string[]; format?: (value: unknown) => string } = {},
): KnobMapping<K> {
  const format = options.format ?? ((value: unknown) => String(value));
  return { target: name, ...(options.values ? { values: options.values } : {}), render: (value) => ({ env: { [name]: format(value) } }) };
}
