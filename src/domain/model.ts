import { z } from 'zod';
import { paginationQuerySchema } from './pagination.js';
import { KV_CACHE_DTYPES, normalizeDtype, resourceRecommendationSchema } from './resource-fit.js';

/** Model registry: what a model is, where its weights come from, and how big it is. */

export const MODEL_CATEGORIES = ['LLM', 'Vision', 'Code', 'Embedding'] as const;
export type ModelCategory = (typeof MODEL_CATEGORIES)[number];

/** `safetensors`: a Hugging Face transformers layout (vLLM, TGI, TEI); `gguf`: llama.cpp, Ollama. */
export const MODEL_FORMATS = ['safetensors', 'gguf'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

export const MODEL_SOURCES = ['huggingface', 'local'] as const;
export type ModelSource = (typeof MODEL_SOURCES)[number];

export const modelNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'Use 1–128 characters: letters, digits, ".", "_" or "-", starting with a letter or digit.');

/** `org/name` as the Hub spells repository ids (each part at most 96 characters). */
export const hfRepoIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/, 'Use a Hugging Face repository id: "org/name".')
  .refine((value) => !value.includes('..'), 'A repository id may not contain "..".');

/** A branch, tag or commit; `refs/pr/1` style refs included. */
export const hfRevisionSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/, 'Use a branch, tag or commit id (letters, digits, ".", "_", "-", "/").')
  .refine((value) => !value.includes('..') && !value.endsWith('/'), 'Not a valid revision.');

/** A file inside a repository, e.g. `qwen2.5-0.5b-instruct-q4_k_m.gguf`. */
export const hfFileSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._/-]{0,254}$/, 'Use a file path inside the repository.')
  .refine((value) => !value.split('/').includes('..'), 'A file path may not contain "..".');

export const localPathSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((value) => value.startsWith('/'), 'Give an absolute path on the H-MAS host.')
  .refine((value) => /\.gguf$/i.test(value), 'A local model must be a .gguf file.')
  .refine((value) => !value.includes('\0'), 'Not a valid path.');

/**
 * Weight precisions: the transformers dtypes, and GGUF quantization names (file types such as
 * Q4_K_M, or tensor types such as Q8_0). Bytes per parameter for each live in resource-fit.ts.
 */
export const dtypeSchema = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9_]+$/, 'Use a dtype such as bfloat16, float16, float8, int4, or a GGUF quantization such as Q4_K_M.');

/** What the resource fit needs about attention; every field optional, as configs differ. */
export const modelArchitectureSchema = z
  .object({
    /** `model_type` of config.json or `general.architecture` of a GGUF file, e.g. "llama". */
    name: z.string().trim().min(1).max(64).nullable().default(null),
    numLayers: z.number().int().min(1).max(10_000).nullable().default(null),
    numAttentionHeads: z.number().int().min(1).max(10_000).nullable().default(null),
    numKeyValueHeads: z.number().int().min(1).max(10_000).nullable().default(null),
    headDim: z.number().int().min(1).max(65_536).nullable().default(null),
    hiddenSize: z.number().int().min(1).max(1_000_000).nullable().default(null),
    /** Multi-head latent attention (DeepSeek): elements cached per token and layer. */
    kvLatentDim: z.number().int().min(1).max(1_000_000).nullable().default(null),
  })
  .strict();
export type ModelArchitecture = z.infer<typeof modelArchitectureSchema>;

const sizeBSchema = z.number().positive().max(100_000).describe('Parameters in billions (0.5 = 500M).');
const parameterCountSchema = z.number().int().positive().max(1e14);
const contextLengthSchema = z.number().int().min(1).max(100_000_000);
const licenseSchema = z.string().trim().min(1).max(100);
const displaySizeSchema = z.string().trim().min(1).max(32);
const descriptionSchema = z.string().trim().max(4000);

/** The registry fields a caller may set; the server fills the rest. */
const modelFieldsShape = {
  name: modelNameSchema,
  category: z.enum(MODEL_CATEGORIES),
  sizeB: sizeBSchema.nullable(),
  parameterCount: parameterCountSchema.nullable(),
  displaySize: displaySizeSchema.nullable(),
  description: descriptionSchema,
  license: licenseSchema.nullable(),
  dtype: dtypeSchema.nullable(),
  contextLength: contextLengthSchema.nullable(),
  architecture: modelArchitectureSchema.nullable(),
};

/** The registry fields a create or an update may give; whatever is left out is filled or kept. */
const optionalModelFields = {
  name: modelNameSchema.optional(),
  category: modelFieldsShape.category.optional(),
  sizeB: modelFieldsShape.sizeB.optional(),
  parameterCount: modelFieldsShape.parameterCount.optional(),
  displaySize: modelFieldsShape.displaySize.optional(),
  description: modelFieldsShape.description.optional(),
  license: modelFieldsShape.license.optional(),
  dtype: modelFieldsShape.dtype.optional(),
  contextLength: modelFieldsShape.contextLength.optional(),
  architecture: modelFieldsShape.architecture.optional(),
};

/**
 * POST /api/models. The source is a Hugging Face repo (`hfRepoId`, optional `revision`, and
 * `hfFile` for one file of a GGUF repo) or a GGUF file on the host (`localPath`, whose header
 * fills whatever is not given).
 */
export const createModelSchema = z
  .object({
    ...optionalModelFields,
    format: z.enum(MODEL_FORMATS).optional(),
    hfRepoId: hfRepoIdSchema.optional(),
    revision: hfRevisionSchema.optional(),
    hfFile: hfFileSchema.optional(),
    localPath: localPathSchema.optional(),
    presetId: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    if ((input.hfRepoId === undefined) === (input.localPath === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['hfRepoId'], message: 'Give exactly one source: hfRepoId (a Hugging Face repo) or localPath (a .gguf file on the host).' });
    }
    if (input.localPath !== undefined && (input.revision !== undefined || input.hfFile !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['localPath'], message: 'revision and hfFile belong to a Hugging Face source, not a local file.' });
    }
    if (input.localPath !== undefined && input.format === 'safetensors') {
      ctx.addIssue({ code: 'custom', path: ['format'], message: 'A local model is a GGUF file: format must be gguf.' });
    }
    if (input.hfFile !== undefined && !/\.gguf$/i.test(input.hfFile)) {
      ctx.addIssue({ code: 'custom', path: ['hfFile'], message: 'hfFile names the .gguf file of a GGUF repo.' });
    }
  });
export type CreateModelInput = z.infer<typeof createModelSchema>;

/** PATCH /api/models/:id: registry fields and the revision; the source itself is fixed. */
export const updateModelSchema = z
  .object({
    ...optionalModelFields,
    revision: hfRevisionSchema.optional(),
    hfFile: hfFileSchema.optional(),
  })
  .strict();
export type UpdateModelInput = z.infer<typeof updateModelSchema>;

/** POST /api/models/import/huggingface */
export const importHuggingFaceSchema = z
  .object({
    repoId: hfRepoIdSchema,
    revision: hfRevisionSchema.optional(),
    /** Register under this name instead of the repo's name (e.g. to import a repo twice). */
    name: modelNameSchema.optional(),
    /** For a GGUF repo: which file. Default: Q4_K_M, else the closest common quantization. */
    hfFile: hfFileSchema.refine((value) => /\.gguf$/i.test(value), 'hfFile names a .gguf file.').optional(),
  })
  .strict();
export type ImportHuggingFaceInput = z.infer<typeof importHuggingFaceSchema>;

export const importQuerySchema = z
  .object({
    dryRun: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true')
      .describe('true: answer the filled fields without saving (the import form preview).'),
  })
  .strict();

export const modelListQuerySchema = paginationQuerySchema
  .extend({
    category: z.enum(MODEL_CATEGORIES).optional(),
    q: z.string().trim().min(1).max(100).optional().describe('Part of the name or repository id.'),
  })
  .strict();
export type ModelListQuery = z.infer<typeof modelListQuerySchema>;

/**
 * Size label from a parameter count, llama.cpp's convention (general.size_label): at least two
 * significant digits, in K/M/B/T. 494,032,768 → "494M", 1.54e9 → "1.5B", 70.55e9 → "71B".
 */
export function formatParameterCount(parameters: number): string {
  const scales: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1, 'K'],
  ];
  const [divisor, suffix] = scales.find(([scale]) => parameters >= scale) ?? [1e3, 'K'];
  const scaled = parameters / (suffix === 'K' ? 1e3 : divisor);
  const integerDigits = String(Math.round(scaled)).replace(/^0+/, '').length;
  return `${scaled.toFixed(Math.max(2 - integerDigits, 0))}${suffix}`;
}

/** A size written in a model name: "70B", "1.5B", "500M", "8x7B". */
export interface NameSize {
  label: string;
  /** Billions of parameters the label stands for (8x7B → 56, an upper bound for MoE). */
  sizeB: number;
}

export function parseSizeFromName(name: string): NameSize | null {
  const moe = /(?<![A-Za-z0-9.])(\d{1,3})x(\d{1,4}(?:\.\d{1,3})?)([BbMm])(?![A-Za-z0-9])/.exec(name);
  if (moe) {
    const experts = Number(moe[1]);
    const each = Number(moe[2]) * (moe[3]!.toLowerCase() === 'm' ? 0.001 : 1);
    return { label: `${moe[1]}x${moe[2]}${moe[3]!.toUpperCase()}`, sizeB: round(experts * each, 4) };
  }
  const plain = /(?<![A-Za-z0-9.])(\d{1,5}(?:\.\d{1,3})?)([BbMmTt])(?![A-Za-z0-9])/.exec(name);
  if (!plain) return null;
  const value = Number(plain[1]);
  const unit = plain[2]!.toUpperCase();
  if (value <= 0) return null;
  const sizeB = unit === 'T' ? value * 1000 : unit === 'M' ? value / 1000 : value;
  return { label: `${plain[1]}${unit}`, sizeB: round(sizeB, 4) };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Parameters in billions, rounded to what a person would ever read (1 in 10^6 of a billion). */
export function sizeBFromParameters(parameters: number): number {
  return round(parameters / 1e9, 6);
}

/**
 * Display size from sizeB. When the name carries a size that agrees with the count (within
 * −20 %/+25 %), the name's label wins: people call Llama-3.1-70B (70.55B parameters) "70B" and
 * Qwen2-VL-7B (8.29B with its vision tower) "7B". Sizes below 1B read in M ("0.5B" → "500M").
 */
export function displaySizeFor(sizeB: number | null | undefined, name?: string | null): string | null {
  const fromName = name ? parseSizeFromName(name) : null;
  if (fromName && (sizeB === null || sizeB === undefined || (sizeB / fromName.sizeB >= 0.8 && sizeB / fromName.sizeB <= 1.25))) {
    if (/x/i.test(fromName.label)) return fromName.label;
    return fromName.sizeB < 1 ? formatParameterCount(fromName.sizeB * 1e9) : formatParameterCount(fromName.sizeB * 1e9).replace(/\.0B$/, 'B');
  }
  if (sizeB === null || sizeB === undefined) return null;
  return formatParameterCount(sizeB * 1e9);
}

/** A registered model as the API answers it. */
export const modelSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  format: z.enum(MODEL_FORMATS),
  source: z.enum(MODEL_SOURCES),
  hfRepoId: z.string().nullable(),
  revision: z.string().nullable(),
  hfFile: z.string().nullable(),
  localPath: z.string().nullable(),
  category: z.enum(MODEL_CATEGORIES),
  sizeB: z.number().nullable(),
  parameterCount: z.number().nullable(),
  displaySize: z.string().nullable(),
  description: z.string(),
  license: z.string().nullable(),
  dtype: z.string().nullable(),
  contextLength: z.number().int().nullable(),
  architecture: modelArchitectureSchema.nullable(),
  /** Exact bytes of the weights when known (a GGUF file's tensor data). */
  weightBytes: z.number().nullable(),
  presetId: z.string().nullable(),
  /** GPUs for one replica on 80 GiB GPUs (null when the size is unknown); see /fit for others. */
  recommendation: resourceRecommendationSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Model = z.infer<typeof modelSchema>;

/** What an import fills in: the body POST /api/models accepts, every field decided. */
export const modelDraftSchema = modelSchema
  .pick({ name: true, format: true, hfFile: true, category: true, sizeB: true, parameterCount: true, displaySize: true, description: true, license: true, dtype: true, contextLength: true, architecture: true, weightBytes: true, recommendation: true })
  .extend({
    hfRepoId: z.string(),
    revision: z.string(),
    /** Things the import could not learn, in words (e.g. "config.json not found"). */
    notes: z.array(z.string()),
  });
export type ModelDraft = z.infer<typeof modelDraftSchema>;

/** GET /api/models/:id/fit */
export const fitQuerySchema = z
  .object({
    gpuMemoryGiB: z.coerce.number().positive().max(4096).describe('Memory of one GPU in GiB (80 for H100/A100 80 GB).'),
    freeGpus: z
      .string()
      .trim()
      .regex(/^\d{1,4}(,\d{1,4}){0,1023}$/, 'Give free GPUs per node as a number or a comma-separated list, e.g. "8" or "8,4,4".')
      .transform((value) => value.split(',').map(Number))
      .describe('Free GPUs per node: "8" or "8,4,4".'),
    replicas: z.coerce.number().int().min(1).max(1000).default(1),
    contextLength: z.coerce.number().int().min(1).max(100_000_000).optional(),
    concurrency: z.coerce.number().int().min(1).max(100_000).optional(),
    dtype: z
      .string()
      .trim()
      .min(1)
      .max(32)
      .refine((value) => normalizeDtype(value) !== undefined, 'Unknown dtype: use bfloat16, float16, float8, int8, int4, float32 or a GGUF quantization such as Q4_K_M.')
      .optional(),
    kvCacheDtype: z.enum(KV_CACHE_DTYPES).optional(),
  })
  .strict();
export type FitQuery = z.infer<typeof fitQuerySchema>;
