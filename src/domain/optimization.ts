import { z } from 'zod';
import { paginationQuerySchema } from './pagination.js';
import { secretRefSchema } from './secret-ref.js';

/**
 * Optimization settings for a serving runtime, in three tiers (SPEC section 3):
 * - tier 1: safe, common knobs every operator understands;
 * - tier 2: advanced knobs (parallelism, caching, speculative decoding, …);
 * - raw: extra runtime arguments and environment variables, passed through as they are.
 *
 * One shape for every runtime. Which knobs a runtime has, and which values it accepts, comes
 * from the runtime's descriptor (`GET /api/runtimes`); `checkOptimization` applies it, so the
 * web UI validates exactly as the server does.
 */

export const RUNTIME_IDS = ['vllm', 'tgi', 'tei', 'llamacpp', 'ollama', 'embedded-llamacpp'] as const;
export type RuntimeId = (typeof RUNTIME_IDS)[number];

export const WORKLOADS = ['generate', 'embed'] as const;
export type Workload = (typeof WORKLOADS)[number];

export const MODEL_FORMATS = ['safetensors', 'gguf'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

/** `auto` leaves the choice to the runtime, so it renders nothing anywhere. */
export const DTYPES = ['auto', 'float16', 'bfloat16', 'float32'] as const;
export type Dtype = (typeof DTYPES)[number];

export const SPECULATIVE_METHODS = ['ngram', 'draft_model', 'eagle', 'eagle3', 'mtp', 'medusa'] as const;
export type SpeculativeMethod = (typeof SPECULATIVE_METHODS)[number];

export const MAX_EXTRA_ARGS = 64;
export const MAX_EXTRA_ENV = 64;
const MAX_ARG_LENGTH = 4096;

// Text that ends up as one argv entry or one environment value: it is never joined into a shell
// line, but NUL cannot be passed to exec at all and line breaks corrupt manifests and logs.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000\r\n]/;

function argvText(what: string) {
  return z
    .string()
    .min(1, `${what} must not be empty.`)
    .max(MAX_ARG_LENGTH, `${what} may have at most ${MAX_ARG_LENGTH} characters.`)
    .refine((value) => !UNSAFE_CHARACTERS.test(value), `${what} must not contain NUL or line breaks.`);
}

/** A lowercase identifier such as a quantization method; each runtime lists the ones it accepts. */
function knobToken(what: string) {
  return z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,39}$/, `${what} must be a lowercase identifier such as "awq" or "fp8".`);
}

const isPowerOfTwo = (value: number) => Number.isInteger(value) && value > 0 && (value & (value - 1)) === 0;

/** Go durations as Ollama reads them ("5m", "1h30m", "-1" = forever, "0" = unload at once, or seconds). */
const KEEP_ALIVE = /^(-1|[0-9]{1,9}|([0-9]{1,9}(\.[0-9]+)?(ms|s|m|h)){1,4})$/;

export const speculativeDecodingSchema = z
  .object({
    method: z.enum(SPECULATIVE_METHODS, { error: `speculativeDecoding.method must be one of ${SPECULATIVE_METHODS.join(', ')}.` }),
    draftModel: argvText('speculativeDecoding.draftModel').optional().describe('Draft model (path or Hugging Face id) for draft_model, eagle, eagle3 and medusa.'),
    numSpeculativeTokens: z
      .number()
      .int('speculativeDecoding.numSpeculativeTokens must be a whole number.')
      .min(1, 'speculativeDecoding.numSpeculativeTokens must be at least 1.')
      .max(32, 'speculativeDecoding.numSpeculativeTokens may be at most 32.')
      .describe('Tokens proposed per step.'),
  })
  .strict();
export type SpeculativeDecoding = z.infer<typeof speculativeDecodingSchema>;

export const tier1Schema = z
  .object({
    maxModelLength: z
      .number()
      .int('maxModelLength must be a whole number of tokens.')
      .positive('maxModelLength must be a positive number of tokens.')
      .max(10_485_760, 'maxModelLength may be at most 10485760 tokens.')
      .optional()
      .describe('Longest sequence (prompt + output) one request may use, in tokens.'),
    gpuMemoryUtilization: z
      .number('gpuMemoryUtilization must be a number in (0, 1].')
      .gt(0, 'gpuMemoryUtilization must be in (0, 1]: greater than 0.')
      .lte(1, 'gpuMemoryUtilization must be in (0, 1]: at most 1 (the whole GPU).')
      .optional()
      .describe('Share of each GPU’s memory the runtime may take, in (0, 1].'),
    maxConcurrentSequences: z
      .number()
      .int('maxConcurrentSequences must be a whole number.')
      .min(1, 'maxConcurrentSequences must be at least 1.')
      .max(65_536, 'maxConcurrentSequences may be at most 65536.')
      .optional()
      .describe('Requests served at the same time.'),
    dtype: z.enum(DTYPES, { error: `dtype must be one of ${DTYPES.join(', ')}.` }).optional().describe('Weight and activation precision; auto = from the model.'),
    quantization: knobToken('quantization').optional().describe('Quantization method; the runtime lists the ones it knows.'),
  })
  .strict();
export type Tier1 = z.infer<typeof tier1Schema>;

export const tier2Schema = z
  .object({
    tensorParallelSize: z
      .number()
      .int('tensorParallelSize must be a whole number.')
      .min(1, 'tensorParallelSize must be at least 1.')
      .max(64, 'tensorParallelSize may be at most 64.')
      .refine(isPowerOfTwo, 'tensorParallelSize must be a power of two: 1, 2, 4, 8, 16, 32 or 64.')
      .optional()
      .describe('GPUs one replica is split over.'),
    prefixCaching: z.boolean().optional().describe('Reuse the KV cache of shared prompt prefixes.'),
    chunkedPrefill: z.boolean().optional().describe('Split long prompts into chunks batched with decoding.'),
    speculativeDecoding: speculativeDecodingSchema.optional(),
    kvCacheDtype: knobToken('kvCacheDtype').optional().describe('Precision of the KV cache.'),
    maxBatchTokens: z
      .number()
      .int('maxBatchTokens must be a whole number.')
      .min(1, 'maxBatchTokens must be at least 1.')
      .max(10_485_760, 'maxBatchTokens may be at most 10485760.')
      .optional()
      .describe('Most tokens processed in one batch step.'),
    enforceEager: z.boolean().optional().describe('Run without CUDA graphs (less memory, slower).'),
    gpuLayers: z
      .union([z.number().int().min(0).max(1000), z.literal('all')], { error: 'gpuLayers must be a whole number from 0 to 1000, or "all".' })
      .optional()
      .describe('Model layers offloaded to the GPU.'),
    flashAttention: z.boolean().optional().describe('Use flash attention.'),
    pooling: knobToken('pooling').optional().describe('How token embeddings become one embedding.'),
    threads: z
      .number()
      .int('threads must be a whole number.')
      .min(1, 'threads must be at least 1.')
      .max(1024, 'threads may be at most 1024.')
      .optional()
      .describe('CPU threads for generation.'),
    keepAlive: z
      .string()
      .regex(KEEP_ALIVE, 'keepAlive must be a duration such as "5m", "1h30m", "300" (seconds), "0" or "-1" (forever).')
      .optional()
      .describe('How long an idle model stays loaded.'),
    maxLoadedModels: z
      .number()
      .int('maxLoadedModels must be a whole number.')
      .min(1, 'maxLoadedModels must be at least 1.')
      .max(64, 'maxLoadedModels may be at most 64.')
      .optional()
      .describe('Models kept loaded at the same time.'),
  })
  .strict();
export type Tier2 = z.infer<typeof tier2Schema>;

const ENV_NAME_MESSAGE = 'Environment variable names use letters, digits and "_", and do not start with a digit.';

const plainEnvValueSchema = argvText('Each extraEnv value').or(z.literal(''));

/** Plain text, or `{ "secretRef": "<name>" }` for a value kept as a named secret (see secret-ref.ts). */
const extraEnvValueSchema = z.union([plainEnvValueSchema, secretRefSchema], {
  // Say what is wrong with the form the caller chose, not "invalid input".
  error: (issue) => {
    if (typeof issue.input === 'string') return plainEnvValueSchema.safeParse(issue.input).error?.issues[0]?.message;
    if (typeof issue.input === 'object' && issue.input !== null) {
      return secretRefSchema.safeParse(issue.input).error?.issues[0]?.message ?? 'Use { "secretRef": "<secret name>" }.';
    }
    return 'Each extraEnv value is a string or { "secretRef": "<secret name>" }.';
  },
});

export const rawSchema = z
  .object({
    extraArgs: z
      .array(argvText('Each extraArgs entry'))
      .max(MAX_EXTRA_ARGS, `extraArgs may have at most ${MAX_EXTRA_ARGS} entries.`)
      .optional()
      .describe('Extra runtime arguments, one argv entry each (never passed through a shell); appended after the rendered ones.'),
    extraEnv: z
      .record(z.string().max(128).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, ENV_NAME_MESSAGE), extraEnvValueSchema, {
        error: (issue) => (issue.code === 'invalid_key' ? ENV_NAME_MESSAGE : undefined),
      })
      .refine((env) => Object.keys(env).length <= MAX_EXTRA_ENV, `extraEnv may have at most ${MAX_EXTRA_ENV} variables.`)
      .optional()
      .describe('Extra environment variables; they win over rendered ones.'),
  })
  .strict();
export type Raw = z.infer<typeof rawSchema>;

export const optimizationSchema = z
  .object({
    tier1: tier1Schema.optional(),
    tier2: tier2Schema.optional(),
    raw: rawSchema.optional(),
  })
  .strict();
export type Optimization = z.infer<typeof optimizationSchema>;

export const TIER1_KNOBS = ['maxModelLength', 'gpuMemoryUtilization', 'maxConcurrentSequences', 'dtype', 'quantization'] as const;
export const TIER2_KNOBS = [
  'tensorParallelSize',
  'prefixCaching',
  'chunkedPrefill',
  'speculativeDecoding',
  'kvCacheDtype',
  'maxBatchTokens',
  'enforceEager',
  'gpuLayers',
  'flashAttention',
  'pooling',
  'threads',
  'keepAlive',
  'maxLoadedModels',
] as const;
export type Tier1Knob = (typeof TIER1_KNOBS)[number];
export type Tier2Knob = (typeof TIER2_KNOBS)[number];
export type KnobKey = Tier1Knob | Tier2Knob;
/** Every knob, in the order runtimes render them (so the output is deterministic). */
export const KNOB_KEYS: readonly KnobKey[] = [...TIER1_KNOBS, ...TIER2_KNOBS];
export type KnobValue<K extends KnobKey> = K extends Tier1Knob ? NonNullable<Tier1[K]> : K extends Tier2Knob ? NonNullable<Tier2[K]> : never;

export type KnobType = 'integer' | 'number' | 'boolean' | 'enum' | 'duration' | 'integer-or-all' | 'speculative';

export interface KnobInfo {
  tier: 'tier1' | 'tier2';
  label: string;
  description: string;
  type: KnobType;
  min?: number;
  max?: number;
}

/** What each knob means, for forms and messages. Bounds repeat the schemas above. */
export const KNOBS: Record<KnobKey, KnobInfo> = {
  maxModelLength: { tier: 'tier1', label: 'max model length', description: 'Longest sequence (prompt + output) one request may use, in tokens.', type: 'integer', min: 1, max: 10_485_760 },
  gpuMemoryUtilization: { tier: 'tier1', label: 'GPU memory utilization', description: 'Share of each GPU’s memory the runtime may take, in (0, 1].', type: 'number', min: 0, max: 1 },
  maxConcurrentSequences: { tier: 'tier1', label: 'max concurrent sequences', description: 'Requests served at the same time.', type: 'integer', min: 1, max: 65_536 },
  dtype: { tier: 'tier1', label: 'dtype', description: 'Weight and activation precision; auto = from the model.', type: 'enum' },
  quantization: { tier: 'tier1', label: 'quantization', description: 'Quantization method applied when loading the weights.', type: 'enum' },
  tensorParallelSize: { tier: 'tier2', label: 'tensor parallel size', description: 'GPUs one replica is split over (a power of two).', type: 'integer', min: 1, max: 64 },
  prefixCaching: { tier: 'tier2', label: 'prefix caching', description: 'Reuse the KV cache of shared prompt prefixes.', type: 'boolean' },
  chunkedPrefill: { tier: 'tier2', label: 'chunked prefill', description: 'Split long prompts into chunks batched with decoding.', type: 'boolean' },
  speculativeDecoding: { tier: 'tier2', label: 'speculative decoding', description: 'Propose several tokens per step and verify them at once.', type: 'speculative' },
  kvCacheDtype: { tier: 'tier2', label: 'KV cache dtype', description: 'Precision of the KV cache.', type: 'enum' },
  maxBatchTokens: { tier: 'tier2', label: 'max batch tokens', description: 'Most tokens processed in one batch step.', type: 'integer', min: 1, max: 10_485_760 },
  enforceEager: { tier: 'tier2', label: 'eager mode', description: 'Run without CUDA graphs (less memory, slower).', type: 'boolean' },
  gpuLayers: { tier: 'tier2', label: 'GPU layers', description: 'Model layers offloaded to the GPU (a number, or all).', type: 'integer-or-all', min: 0, max: 1000 },
  flashAttention: { tier: 'tier2', label: 'flash attention', description: 'Use flash attention.', type: 'boolean' },
  pooling: { tier: 'tier2', label: 'pooling', description: 'How token embeddings become one embedding.', type: 'enum' },
  threads: { tier: 'tier2', label: 'CPU threads', description: 'CPU threads for generation.', type: 'integer', min: 1, max: 1024 },
  keepAlive: { tier: 'tier2', label: 'keep alive', description: 'How long an idle model stays loaded (e.g. 5m, -1 = forever).', type: 'duration' },
  maxLoadedModels: { tier: 'tier2', label: 'max loaded models', description: 'Models kept loaded at the same time.', type: 'integer', min: 1, max: 64 },
};

/** The value of one knob in an optimization, or undefined when unset. */
export function knobValue<K extends KnobKey>(optimization: Optimization, key: K): KnobValue<K> | undefined {
  const tier = KNOBS[key].tier === 'tier1' ? optimization.tier1 : optimization.tier2;
  return (tier as Record<string, unknown> | undefined)?.[key] as KnobValue<K> | undefined;
}

/**
 * The optimization with neutral values removed: `dtype: auto` is every runtime's default, so it
 * is the same as not setting dtype. Empty tiers are dropped.
 */
export function normalizeOptimization(optimization: Optimization): Optimization {
  const tier1 = { ...optimization.tier1 };
  if (tier1.dtype === 'auto') delete tier1.dtype;
  const raw = { ...optimization.raw };
  if (raw.extraArgs?.length === 0) delete raw.extraArgs;
  if (raw.extraEnv && Object.keys(raw.extraEnv).length === 0) delete raw.extraEnv;
  const tier2 = { ...optimization.tier2 };
  return {
    ...(Object.keys(tier1).length > 0 ? { tier1 } : {}),
    ...(Object.keys(tier2).length > 0 ? { tier2 } : {}),
    ...(Object.keys(raw).length > 0 ? { raw } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Runtime descriptors: what GET /api/runtimes answers, and what checkOptimization reads.

export const knobDescriptorSchema = z.object({
  key: z.enum(KNOB_KEYS as [KnobKey, ...KnobKey[]]),
  label: z.string(),
  description: z.string(),
  type: z.enum(['integer', 'number', 'boolean', 'enum', 'duration', 'integer-or-all', 'speculative']),
  /** The runtime's own flag(s) or environment variable(s) the knob becomes. */
  target: z.string(),
  /** Accepted values, where the runtime accepts only some (dtype, quantization, speculative methods, …). */
  values: z.array(z.string()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});
export type KnobDescriptor = z.infer<typeof knobDescriptorSchema>;

export const runtimeDescriptorSchema = z.object({
  id: z.enum(RUNTIME_IDS),
  displayName: z.string(),
  workloads: z.array(z.enum(WORKLOADS)),
  image: z.object({ repository: z.string(), tag: z.string() }).nullable(),
  command: z.object({
    /** Program and leading arguments when the runtime runs on a host. */
    host: z.array(z.string()),
    /** Container command replacing the image entrypoint; null = the image's own entrypoint, args follow it. */
    container: z.array(z.string()).nullable(),
  }),
  port: z.number().int(),
  healthPath: z.string(),
  metricsPath: z.string().nullable(),
  openaiBasePath: z.string(),
  supportsIncludeUsage: z.boolean(),
  supportedFormats: z.array(z.enum(MODEL_FORMATS)),
  docs: z.array(z.string()),
  knobs: z.object({
    tier1: z.array(knobDescriptorSchema),
    tier2: z.array(knobDescriptorSchema),
    raw: z.object({ extraArgs: z.boolean(), extraEnv: z.boolean() }),
  }),
  /** Knobs this runtime does not have, and why: setting one is refused in presets, a warning in renders. */
  unsupported: z.array(z.object({ key: z.enum(KNOB_KEYS as [KnobKey, ...KnobKey[]]), message: z.string() })),
  /** Pairs of knobs the runtime refuses together. */
  conflicts: z.array(z.object({ knobs: z.array(z.enum(KNOB_KEYS as [KnobKey, ...KnobKey[]])), message: z.string() })),
});
export type RuntimeDescriptor = z.infer<typeof runtimeDescriptorSchema>;

export interface OptimizationIssue {
  /** JSON pointer into the optimization, e.g. `/tier2/tensorParallelSize`. */
  path: string;
  message: string;
}

function pointer(key: KnobKey): string {
  return `/${KNOBS[key].tier}/${key}`;
}

function valueToken(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'method' in value) return String((value as { method: unknown }).method);
  return undefined;
}

/**
 * Checks an optimization (already valid against `optimizationSchema`) against one runtime:
 * values outside the runtime's accepted list and conflicting knobs are `errors`; knobs the
 * runtime does not have are `unsupported` (presets refuse them; renders turn them into warnings).
 */
export function checkOptimization(
  optimization: Optimization,
  runtime: Pick<RuntimeDescriptor, 'displayName' | 'knobs' | 'unsupported' | 'conflicts'>,
): { errors: OptimizationIssue[]; unsupported: OptimizationIssue[] } {
  const normalized = normalizeOptimization(optimization);
  const errors: OptimizationIssue[] = [];
  const unsupported: OptimizationIssue[] = [];
  const known = new Map([...runtime.knobs.tier1, ...runtime.knobs.tier2].map((knob) => [knob.key, knob]));
  const reasons = new Map(runtime.unsupported.map((entry) => [entry.key, entry.message]));
  for (const key of KNOB_KEYS) {
    const value = knobValue(normalized, key);
    if (value === undefined) continue;
    const knob = known.get(key);
    if (!knob) {
      unsupported.push({ path: pointer(key), message: reasons.get(key) ?? `${runtime.displayName} has no ${KNOBS[key].label} setting.` });
      continue;
    }
    const token = valueToken(value);
    if (knob.values && token !== undefined && !knob.values.includes(token)) {
      const what = key === 'speculativeDecoding' ? 'speculative decoding method' : KNOBS[key].label;
      errors.push({
        path: key === 'speculativeDecoding' ? `${pointer(key)}/method` : pointer(key),
        message: `${runtime.displayName} accepts ${what} ${knob.values.join(', ')}; "${token}" is not one of them.`,
      });
    }
  }
  for (const conflict of runtime.conflicts) {
    if (conflict.knobs.every((key) => knobValue(normalized, key) !== undefined)) {
      errors.push({ path: pointer(conflict.knobs[1] ?? conflict.knobs[0]!), message: conflict.message });
    }
  }
  if (normalized.raw?.extraArgs && !runtime.knobs.raw.extraArgs) {
    unsupported.push({ path: '/raw/extraArgs', message: `${runtime.displayName} takes no command-line arguments; use extraEnv instead.` });
  }
  if (normalized.raw?.extraEnv && !runtime.knobs.raw.extraEnv) {
    unsupported.push({ path: '/raw/extraEnv', message: `${runtime.displayName} reads no environment variables from H-MAS.` });
  }
  return { errors, unsupported };
}

// ---------------------------------------------------------------------------------------------
// Optimization presets.

export const presetNameSchema = z
  .string()
  .trim()
  .min(1, 'The name must not be empty.')
  .max(63, 'The name may have at most 63 characters.')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'Use a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit.');

const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** Stored presets have UUIDs; built-in ones `builtin:<runtime>:<name>`. */
export const PRESET_ID_PATTERN = new RegExp(`^(${UUID_PATTERN}|builtin:[a-z0-9-]{1,32}:[a-z0-9-]{1,63})$`);
export const presetIdSchema = z.string().regex(PRESET_ID_PATTERN, 'The id must be a UUID or a built-in id such as "builtin:vllm:balanced".');

export const optimizationPresetSchema = z.object({
  id: z.string(),
  name: z.string(),
  runtime: z.enum(RUNTIME_IDS),
  description: z.string(),
  builtIn: z.boolean(),
  optimization: optimizationSchema,
  /** Null for built-in presets, which live in code. */
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type OptimizationPreset = z.infer<typeof optimizationPresetSchema>;

export const createPresetSchema = z
  .object({
    name: presetNameSchema,
    runtime: z.enum(RUNTIME_IDS, { error: `runtime must be one of ${RUNTIME_IDS.join(', ')}.` }),
    description: z.string().trim().max(500, 'The description may have at most 500 characters.').default(''),
    optimization: optimizationSchema,
  })
  .strict();
export type CreatePresetInput = z.infer<typeof createPresetSchema>;

/** A PATCH changes what it names; `optimization`, when given, replaces the whole optimization. */
export const updatePresetSchema = z
  .object({
    name: presetNameSchema.optional(),
    description: z.string().trim().max(500, 'The description may have at most 500 characters.').optional(),
    optimization: optimizationSchema.optional(),
  })
  .strict();
export type UpdatePresetInput = z.infer<typeof updatePresetSchema>;

export const presetListQuerySchema = paginationQuerySchema
  .extend({
    runtime: z.enum(RUNTIME_IDS, { error: `runtime must be one of ${RUNTIME_IDS.join(', ')}.` }).optional().describe('Only presets of this runtime.'),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Render previews.

export const renderContextSchema = z
  .object({
    model: argvText('context.model').default('MODEL').describe('Model path or Hugging Face id the runtime loads.'),
    port: z.number().int().min(1, 'context.port must be 1–65535.').max(65_535, 'context.port must be 1–65535.').optional().describe('Listen port; the runtime’s default port when absent.'),
    host: z
      .string()
      .regex(/^[A-Za-z0-9.:[\]-]{1,255}$/, 'context.host must be an IP address or host name.')
      .optional()
      .describe('Listen address; 0.0.0.0 when absent.'),
    servedModelName: argvText('context.servedModelName').optional().describe('Model name the OpenAI API answers to, where the runtime lets it be set.'),
  })
  .strict();
export type RenderContextInput = z.infer<typeof renderContextSchema>;

export const renderRequestSchema = z
  .object({
    optimization: optimizationSchema.optional().describe('Settings to render; leave out to render a preset or the defaults.'),
    presetId: presetIdSchema.optional().describe('Render this preset instead (its runtime must match).'),
    context: renderContextSchema.optional(),
  })
  .strict();

export const renderResultSchema = z.object({
  runtime: z.enum(RUNTIME_IDS),
  command: z.object({ host: z.array(z.string()), container: z.array(z.string()).nullable() }),
  /** Arguments after the command, one argv entry each. */
  args: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  /** Variables taken from named secrets when a replica starts: variable → secret name; absent when none. */
  secretEnv: z.record(z.string(), z.string()).optional(),
  /** Settings the runtime does not have (not applied), and other things worth knowing. */
  warnings: z.array(z.object({ path: z.string(), message: z.string() })),
});
export type RenderResultBody = z.infer<typeof renderResultSchema>;
