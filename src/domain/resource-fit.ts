import { z } from 'zod';
import type { ModelArchitecture } from './model.js';

/**
 * How many GPUs a model needs, and whether it fits on a cluster's free GPUs. Pure arithmetic,
 * shared by the server, the web UI and the CLI.
 *
 *   weights   = parameters × bytes per parameter of the dtype (or the exact tensor bytes of a GGUF file)
 *   KV cache  = 2 (K and V) × layers × KV heads × head size × bytes per element × context × concurrency
 *               (multi-head latent attention caches layers × latent size instead)
 *   per GPU   = GPU memory × utilization (0.9, vLLM's default) − runtime overhead (2 GiB: CUDA
 *               context, activation peak of a prefill, CUDA graphs, NCCL buffers)
 *   GPUs      = ceil((weights + KV cache) / per GPU), then rounded up to a tensor-parallel size.
 *
 * The dtype is the one asked for, else the model's; float32 checkpoints count as float16, as
 * vLLM and TGI serve them by default.
 *
 * Tensor parallelism splits attention heads across GPUs, so the size must be a power of two that
 * divides the attention heads. KV heads follow vLLM's rule: the size divides them, or, when it is
 * larger, they divide it (each KV head is then replicated). When the architecture is unknown
 * the KV cache is estimated as 20 % of the weights and heads are not checked; the result says so.
 */

const GiB = 1024 ** 3;

/**
 * Bytes per parameter. Transformers dtypes are exact. GGUF tensor types are exact (block size
 * and bytes per block from ggml). GGUF file types (Q4_K_M …) mix tensor types; their figures are
 * effective bits per weight from llama.cpp's quantize table (file size of Llama-3-8B for the
 * k-quants, the stated bpw for the i-quants), so they include the higher-precision embeddings.
 */
export const BYTES_PER_PARAMETER: Readonly<Record<string, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float8: 1,
  int8: 1,
  int4: 0.5,
  // GGUF, exact tensor types
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  Q8_0: 34 / 32,
  Q8_1: 36 / 32,
  Q4_0: 18 / 32,
  Q4_1: 20 / 32,
  Q5_0: 22 / 32,
  Q5_1: 24 / 32,
  Q8_K: 292 / 256,
  Q6_K: 210 / 256,
  Q4_K: 144 / 256,
  Q5_K: 176 / 256,
  Q3_K: 110 / 256,
  IQ4_NL: 18 / 32,
  IQ4_XS: 136 / 256,
  IQ2_XXS: 66 / 256,
  IQ2_XS: 74 / 256,
  IQ2_S: 82 / 256,
  IQ3_XXS: 98 / 256,
  IQ3_S: 110 / 256,
  IQ1_S: 50 / 256,
  IQ1_M: 56 / 256,
  TQ1_0: 54 / 256,
  TQ2_0: 66 / 256,
  MXFP4: 17 / 32,
  // GGUF file types (mixtures): effective bits per weight / 8
  Q2_K: 3.17 / 8,
  Q2_K_S: 3.17 / 8,
  Q3_K_S: 3.65 / 8,
  Q3_K_M: 4.0 / 8,
  Q3_K_L: 4.31 / 8,
  Q4_K_S: 4.67 / 8,
  Q4_K_M: 4.9 / 8,
  Q5_K_S: 5.57 / 8,
  Q5_K_M: 5.7 / 8,
  IQ2_M: 2.7 / 8,
  IQ3_XS: 3.3 / 8,
  IQ3_M: 3.66 / 8,
  MXFP4_MOE: 4.25 / 8,
};

const DTYPE_ALIASES: Readonly<Record<string, string>> = {
  fp32: 'float32',
  f32: 'float32',
  float: 'float32',
  fp16: 'float16',
  f16: 'float16',
  half: 'float16',
  bf16: 'bfloat16',
  fp8: 'float8',
  f8_e4m3: 'float8',
  f8_e5m2: 'float8',
  float8_e4m3fn: 'float8',
  float8_e5m2: 'float8',
  i8: 'int8',
  i4: 'int4',
  awq: 'int4',
  gptq: 'int4',
  fp64: 'float64',
  f64: 'float64',
};

/** Canonical dtype name: transformers names lower-case, GGUF names upper-case; undefined if unknown. */
export function normalizeDtype(dtype: string): string | undefined {
  const trimmed = dtype.trim();
  const lower = trimmed.toLowerCase();
  // GGUF spellings win for upper-case input ("F16" of a GGUF file stays F16).
  const upper = trimmed.toUpperCase();
  if (trimmed === upper && BYTES_PER_PARAMETER[upper] !== undefined) return upper;
  if (BYTES_PER_PARAMETER[lower] !== undefined) return lower;
  if (DTYPE_ALIASES[lower]) return DTYPE_ALIASES[lower];
  if (BYTES_PER_PARAMETER[upper] !== undefined) return upper;
  return undefined;
}

export function bytesPerParameter(dtype: string): number | undefined {
  const canonical = normalizeDtype(dtype);
  return canonical === undefined ? undefined : BYTES_PER_PARAMETER[canonical];
}

export const KV_CACHE_DTYPES = ['float16', 'bfloat16', 'float8', 'float32'] as const;
const KV_BYTES: Record<(typeof KV_CACHE_DTYPES)[number], number> = { float16: 2, bfloat16: 2, float8: 1, float32: 4 };

export const FIT_DEFAULTS = {
  /** vLLM's default --gpu-memory-utilization. */
  gpuMemoryUtilization: 0.9,
  runtimeOverheadGiB: 2,
  /** Context when the caller gives none: the model's own, capped at this. */
  maxDefaultContextLength: 8192,
  /** Context when neither the caller nor the model says. */
  fallbackContextLength: 4096,
  concurrency: 4,
  kvCacheDtype: 'float16' as (typeof KV_CACHE_DTYPES)[number],
  /** When the model's dtype is unknown. */
  dtype: 'bfloat16',
  /** KV cache as a share of the weights when the architecture is unknown. */
  unknownKvShare: 0.2,
  /** GPU memory of the recommendation shown with a model (H100/A100 80 GB). */
  gpuMemoryGiB: 80,
  maxTensorParallelSize: 64,
} as const;

/** What the fit needs to know about a model. */
export interface ModelFacts {
  name?: string | null;
  parameterCount?: number | null;
  sizeB?: number | null;
  dtype?: string | null;
  contextLength?: number | null;
  architecture?: Partial<ModelArchitecture> | null;
  /** Exact bytes of the weights when known (a GGUF file's tensor data). */
  weightBytes?: number | null;
}

export const resourceOptionsSchema = z.object({
  gpuMemoryGiB: z.number().positive().max(4096),
  dtype: z.string().trim().min(1).max(32).optional(),
  contextLength: z.number().int().min(1).max(100_000_000).optional(),
  concurrency: z.number().int().min(1).max(100_000).optional(),
  kvCacheDtype: z.enum(KV_CACHE_DTYPES).optional(),
  gpuMemoryUtilization: z.number().min(0.05).max(1).optional(),
  runtimeOverheadGiB: z.number().min(0).max(1024).optional(),
});
export type ResourceOptions = z.infer<typeof resourceOptionsSchema>;

export const resourceRecommendationSchema = z.object({
  assumptions: z.object({
    dtype: z.string(),
    bytesPerParameter: z.number(),
    contextLength: z.number().int(),
    concurrency: z.number().int(),
    kvCacheDtype: z.enum(KV_CACHE_DTYPES),
    gpuMemoryGiB: z.number(),
    gpuMemoryUtilization: z.number(),
    runtimeOverheadGiB: z.number(),
  }),
  parameterCount: z.number(),
  weightsBytes: z.number(),
  weightsBasis: z.enum(['parameters', 'file']),
  kvCacheBytesPerToken: z.number().nullable(),
  kvCacheBytes: z.number(),
  kvCacheBasis: z.enum(['architecture', 'estimate']),
  /** Weights + KV cache. */
  workingSetBytes: z.number(),
  usableBytesPerGpu: z.number(),
  /** By memory alone; null when a GPU cannot even hold the runtime overhead. */
  gpusNeeded: z.number().int().nullable(),
  tensorParallelSize: z.number().int().nullable(),
  /** The GPUs one replica takes: the tensor-parallel size, or gpusNeeded when there is none. */
  gpuCount: z.number().int().nullable(),
  memoryPerGpuGiB: z.number().nullable(),
  totalGpuMemoryGiB: z.number().nullable(),
  weightsGiB: z.number(),
  kvCacheGiB: z.number(),
  message: z.string(),
});
export type ResourceRecommendation = z.infer<typeof resourceRecommendationSchema>;

export const fitResultSchema = z.object({
  fits: z.boolean(),
  replicas: z.number().int(),
  gpusPerReplica: z.number().int().nullable(),
  gpusRequired: z.number().int().nullable(),
  freeGpus: z.number().int(),
  largestNodeFreeGpus: z.number().int(),
  /** Replicas the free GPUs can hold, each on one node. */
  placeableReplicas: z.number().int(),
  /** Replicas per node (index into the given gpusPerNode), up to the replicas asked for. */
  placement: z.array(z.object({ node: z.number().int(), replicas: z.number().int(), gpus: z.number().int() })),
  recommendation: resourceRecommendationSchema,
  message: z.string(),
});
export type FitResult = z.infer<typeof fitResultSchema>;

const round2 = (value: number) => Math.round(value * 100) / 100;
const gib = (bytes: number) => round2(bytes / GiB);
const thousands = (value: number) => value.toLocaleString('en-US');

export function parameterCountOf(model: ModelFacts): number | null {
  if (model.parameterCount && model.parameterCount > 0) return model.parameterCount;
  if (model.sizeB && model.sizeB > 0) return Math.round(model.sizeB * 1e9);
  return null;
}

/** KV-cache bytes one token takes, from the architecture; null when it is not known well enough. */
export function kvCacheBytesPerToken(architecture: Partial<ModelArchitecture> | null | undefined, bytesPerElement: number): number | null {
  const layers = architecture?.numLayers;
  if (!architecture || !layers) return null;
  if (architecture.kvLatentDim) return layers * architecture.kvLatentDim * bytesPerElement;
  const heads = architecture.numAttentionHeads;
  const kvHeads = architecture.numKeyValueHeads ?? heads;
  const headDim = architecture.headDim ?? (architecture.hiddenSize && heads ? architecture.hiddenSize / heads : null);
  if (!kvHeads || !headDim) return null;
  return 2 * layers * kvHeads * headDim * bytesPerElement;
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && (value & (value - 1)) === 0;
}

/** Whether `size` GPUs can split the attention of this model (always true when heads are unknown). */
export function isValidTensorParallelSize(size: number, architecture: Partial<ModelArchitecture> | null | undefined): boolean {
  if (!isPowerOfTwo(size)) return false;
  const heads = architecture?.numAttentionHeads;
  if (heads && heads % size !== 0) return false;
  const kvHeads = architecture?.numKeyValueHeads;
  if (kvHeads && !architecture?.kvLatentDim && kvHeads % size !== 0 && size % kvHeads !== 0) return false;
  return true;
}

/** The smallest valid tensor-parallel size of at least `gpus`; null when there is none. */
export function tensorParallelSizeFor(gpus: number, architecture: Partial<ModelArchitecture> | null | undefined): number | null {
  for (let size = 1; size <= FIT_DEFAULTS.maxTensorParallelSize; size *= 2) {
    if (size >= gpus && isValidTensorParallelSize(size, architecture)) return size;
  }
  return null;
}

function headsPhrase(architecture: Partial<ModelArchitecture> | null | undefined): string {
  const heads = architecture?.numAttentionHeads;
  if (!heads) return 'attention heads unknown, not checked';
  const kvHeads = architecture?.numKeyValueHeads;
  return kvHeads && kvHeads !== heads && !architecture?.kvLatentDim
    ? `a power of two dividing the ${heads} attention heads, compatible with ${kvHeads} KV heads`
    : `a power of two dividing the ${heads} attention heads`;
}

/**
 * GPUs, GPU memory and tensor-parallel size for one replica of a model. Null when the model's
 * size is unknown (no parameter count, sizeB or weight bytes).
 */
export function recommendResources(model: ModelFacts, options: ResourceOptions): ResourceRecommendation | null {
  const parameterCount = parameterCountOf(model);
  const explicitDtype = options.dtype ? normalizeDtype(options.dtype) : undefined;
  const modelDtype = model.dtype ? normalizeDtype(model.dtype) : undefined;
  // vLLM and TGI serve float32 checkpoints in float16 unless told otherwise (dtype "auto").
  const servedDtype = modelDtype === 'float32' || modelDtype === 'float64' ? 'float16' : modelDtype;
  const dtype = explicitDtype ?? servedDtype ?? FIT_DEFAULTS.dtype;
  const perParameter = BYTES_PER_PARAMETER[dtype] ?? 2;
  const useFileBytes = !!model.weightBytes && (explicitDtype === undefined || explicitDtype === modelDtype);
  if (!useFileBytes && parameterCount === null) return null;

  const weightsBytes = useFileBytes ? model.weightBytes! : Math.round(parameterCount! * perParameter);
  const contextLength = options.contextLength ?? Math.min(model.contextLength ?? FIT_DEFAULTS.fallbackContextLength, FIT_DEFAULTS.maxDefaultContextLength);
  const concurrency = options.concurrency ?? FIT_DEFAULTS.concurrency;
  const kvCacheDtype = options.kvCacheDtype ?? FIT_DEFAULTS.kvCacheDtype;
  const utilization = options.gpuMemoryUtilization ?? FIT_DEFAULTS.gpuMemoryUtilization;
  const overheadGiB = options.runtimeOverheadGiB ?? FIT_DEFAULTS.runtimeOverheadGiB;

  const perToken = kvCacheBytesPerToken(model.architecture, KV_BYTES[kvCacheDtype]);
  const kvCacheBytes = perToken !== null ? perToken * contextLength * concurrency : Math.round(weightsBytes * FIT_DEFAULTS.unknownKvShare);
  const workingSetBytes = weightsBytes + kvCacheBytes;
  const usableBytesPerGpu = options.gpuMemoryGiB * GiB * utilization - overheadGiB * GiB;
  const gpusNeeded = usableBytesPerGpu > 0 ? Math.max(1, Math.ceil(workingSetBytes / usableBytesPerGpu)) : null;
  const tensorParallelSize = gpusNeeded === null ? null : tensorParallelSizeFor(gpusNeeded, model.architecture);
  const gpuCount = tensorParallelSize ?? gpusNeeded;
  const memoryPerGpuGiB = gpuCount ? round2(workingSetBytes / gpuCount / GiB + overheadGiB) : null;
  const totalGpuMemoryGiB = gpuCount ? round2(workingSetBytes / GiB + overheadGiB * gpuCount) : null;

  const label = model.name ? `${model.name} needs` : 'The model needs';
  const kvText =
    perToken !== null
      ? `${gib(kvCacheBytes)} GiB of KV cache (${thousands(contextLength)} tokens × ${concurrency} sequences)`
      : `about ${gib(kvCacheBytes)} GiB of KV cache (estimated as ${FIT_DEFAULTS.unknownKvShare * 100} % of the weights: the architecture is unknown)`;
  const head = `${label} ${gib(weightsBytes)} GiB for ${dtype} weights and ${kvText}`;
  let message: string;
  if (gpusNeeded === null) {
    message = `${head}, but a ${options.gpuMemoryGiB} GiB GPU leaves no room after the ${overheadGiB} GiB runtime overhead.`;
  } else if (tensorParallelSize === null) {
    message = `${head}: ${gpusNeeded} × ${options.gpuMemoryGiB} GiB GPUs by memory, but no tensor-parallel size of at least ${gpusNeeded} is ${headsPhrase(model.architecture)}; use larger GPUs, a smaller dtype, or pipeline parallelism.`;
  } else {
    const rounding = tensorParallelSize > gpusNeeded ? `, rounded up to tensor parallel ${tensorParallelSize} (${headsPhrase(model.architecture)})` : '';
    message = `${head}: ${gpusNeeded} × ${options.gpuMemoryGiB} GiB GPU${gpusNeeded === 1 ? '' : 's'} by memory${rounding} → ${tensorParallelSize} GPU${tensorParallelSize === 1 ? '' : 's'}, ${memoryPerGpuGiB} GiB each.`;
  }

  return {
    assumptions: {
      dtype,
      bytesPerParameter: useFileBytes && parameterCount ? weightsBytes / parameterCount : perParameter,
      contextLength,
      concurrency,
      kvCacheDtype,
      gpuMemoryGiB: options.gpuMemoryGiB,
      gpuMemoryUtilization: utilization,
      runtimeOverheadGiB: overheadGiB,
    },
    parameterCount: parameterCount ?? Math.round(weightsBytes / perParameter),
    weightsBytes,
    weightsBasis: useFileBytes ? 'file' : 'parameters',
    kvCacheBytesPerToken: perToken,
    kvCacheBytes,
    kvCacheBasis: perToken !== null ? 'architecture' : 'estimate',
    workingSetBytes,
    usableBytesPerGpu: Math.round(usableBytesPerGpu),
    gpusNeeded,
    tensorParallelSize,
    gpuCount,
    memoryPerGpuGiB,
    totalGpuMemoryGiB,
    weightsGiB: gib(weightsBytes),
    kvCacheGiB: gib(kvCacheBytes),
    message,
  };
}

export interface FitOptions extends ResourceOptions {
  /** Free GPUs on each node of the cluster (all of the same memory size). */
  gpusPerNode: number[];
  replicas: number;
}

/**
 * Whether `replicas` copies of the model fit on the free GPUs; each copy needs its
 * tensor-parallel group on one node. Null when the model's size is unknown.
 */
export function checkFit(model: ModelFacts, options: FitOptions): FitResult | null {
  const recommendation = recommendResources(model, options);
  if (!recommendation) return null;
  const freeGpus = options.gpusPerNode.reduce((sum, count) => sum + count, 0);
  const largestNodeFreeGpus = options.gpusPerNode.reduce((max, count) => Math.max(max, count), 0);
  const perReplica = recommendation.tensorParallelSize;
  const base = {
    replicas: options.replicas,
    gpusPerReplica: recommendation.gpuCount,
    gpusRequired: recommendation.gpuCount === null ? null : recommendation.gpuCount * options.replicas,
    freeGpus,
    largestNodeFreeGpus,
    recommendation,
  };
  if (perReplica === null) {
    return { ...base, fits: false, placeableReplicas: 0, placement: [], message: `Does not fit: ${recommendation.message}` };
  }

  const placement: FitResult['placement'] = [];
  let placeableReplicas = 0;
  let left = options.replicas;
  options.gpusPerNode.forEach((free, node) => {
    const capacity = Math.floor(free / perReplica);
    placeableReplicas += capacity;
    const here = Math.min(capacity, left);
    if (here > 0) {
      placement.push({ node, replicas: here, gpus: here * perReplica });
      left -= here;
    }
  });
  const fits = placeableReplicas >= options.replicas;
  const need = `${options.replicas} replica${options.replicas === 1 ? '' : 's'} × ${perReplica} GPU${perReplica === 1 ? '' : 's'} (${recommendation.memoryPerGpuGiB} GiB each)`;
  let message: string;
  if (fits) {
    message = `Fits: ${need} on ${placement.length} node${placement.length === 1 ? '' : 's'}, ${freeGpus - perReplica * options.replicas} of ${freeGpus} free GPUs left.`;
  } else if (largestNodeFreeGpus < perReplica) {
    message = `Does not fit: one replica needs ${perReplica} GPUs on one node (tensor parallel), and the node with the most free GPUs has ${largestNodeFreeGpus}.`;
  } else {
    message = `Does not fit: ${need} needed, the free GPUs (${freeGpus} on ${options.gpusPerNode.length} node${options.gpusPerNode.length === 1 ? '' : 's'}) hold ${placeableReplicas} replica${placeableReplicas === 1 ? '' : 's'}.`;
  }
  return { ...base, fits, placeableReplicas, placement, message };
}
