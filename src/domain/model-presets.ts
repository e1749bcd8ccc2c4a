import { z } from 'zod';
import { displaySizeFor, type CreateModelInput, MODEL_CATEGORIES, MODEL_FORMATS, modelArchitectureSchema, sizeBFromParameters, type ModelArchitecture, type ModelCategory, type ModelFormat } from './model.js';

/**
 * The model preset catalog: current open models with the metadata the registry and the
 * resource fit need. Parameter counts are the Hub's safetensors totals (GGUF: the file's tensor
 * total), context lengths are `max_position_embeddings` of config.json, and the attention shape
 * is config.json's (for vision models, the language model's). Gated repos need HF_TOKEN to
 * download. Keep it current: add a model here, nothing else changes.
 */

export const modelPresetSchema = z.object({
  id: z.string(),
  name: z.string(),
  hfRepoId: z.string(),
  hfFile: z.string().nullable(),
  format: z.enum(MODEL_FORMATS),
  category: z.enum(MODEL_CATEGORIES),
  family: z.string(),
  parameterCount: z.number().int(),
  sizeB: z.number(),
  displaySize: z.string(),
  description: z.string(),
  license: z.string(),
  dtype: z.string(),
  contextLength: z.number().int(),
  architecture: modelArchitectureSchema,
  weightBytes: z.number().nullable(),
  gated: z.boolean(),
  tags: z.array(z.string()),
});
export type ModelPreset = z.infer<typeof modelPresetSchema>;

interface Entry {
  id: string;
  repo: string;
  category: ModelCategory;
  family: string;
  params: number;
  license: string;
  dtype: string;
  context: number;
  /** [layers, attention heads, KV heads, hidden size, head size when not hidden / heads] */
  attention: [number, number, number, number, number?];
  description: string;
  tags?: string[];
  gated?: boolean;
  format?: ModelFormat;
  file?: string;
  weightBytes?: number;
  kvLatentDim?: number;
  modelType: string;
  /** Display name when not the repo's. */
  displayName?: string;
}

const ENTRIES: Entry[] = [
  // Chat LLMs
  { id: 'llama-3.2-1b-instruct', repo: 'meta-llama/Llama-3.2-1B-Instruct', category: 'LLM', family: 'Llama 3.2', params: 1_235_814_400, license: 'llama3.2', dtype: 'bfloat16', context: 131_072, attention: [16, 32, 8, 2048, 64], modelType: 'llama', gated: true, tags: ['chat', 'edge'], description: "Meta's smallest Llama 3.2 instruct model: multilingual chat and summarization on a small GPU." },
  { id: 'llama-3.2-3b-instruct', repo: 'meta-llama/Llama-3.2-3B-Instruct', category: 'LLM', family: 'Llama 3.2', params: 3_212_749_824, license: 'llama3.2', dtype: 'bfloat16', context: 131_072, attention: [28, 24, 8, 3072, 128], modelType: 'llama', gated: true, tags: ['chat', 'edge'], description: 'Llama 3.2 3B instruct: multilingual chat, tool use and summarization with a 128K context.' },
  { id: 'llama-3.1-8b-instruct', repo: 'meta-llama/Llama-3.1-8B-Instruct', category: 'LLM', family: 'Llama 3.1', params: 8_030_261_248, license: 'llama3.1', dtype: 'bfloat16', context: 131_072, attention: [32, 32, 8, 4096], modelType: 'llama', gated: true, tags: ['chat', 'tools'], description: 'Llama 3.1 8B instruct: the common default for single-GPU chat, with tool calling and a 128K context.' },
  { id: 'llama-3.3-70b-instruct', repo: 'meta-llama/Llama-3.3-70B-Instruct', category: 'LLM', family: 'Llama 3.3', params: 70_553_706_496, license: 'llama3.3', dtype: 'bfloat16', context: 131_072, attention: [80, 64, 8, 8192], modelType: 'llama', gated: true, tags: ['chat', 'tools'], description: 'Llama 3.3 70B instruct: quality close to Llama 3.1 405B at 70B; needs several GPUs in bf16.' },
  { id: 'qwen2.5-7b-instruct', repo: 'Qwen/Qwen2.5-7B-Instruct', category: 'LLM', family: 'Qwen2.5', params: 7_615_616_512, license: 'apache-2.0', dtype: 'bfloat16', context: 32_768, attention: [28, 28, 4, 3584], modelType: 'qwen2', tags: ['chat', 'multilingual'], description: 'Qwen2.5 7B instruct: strong multilingual chat, coding and math for one GPU; 32K context (128K with YaRN).' },
  { id: 'qwen2.5-72b-instruct', repo: 'Qwen/Qwen2.5-72B-Instruct', category: 'LLM', family: 'Qwen2.5', params: 72_706_203_648, license: 'qwen', dtype: 'bfloat16', context: 32_768, attention: [80, 64, 8, 8192], modelType: 'qwen2', tags: ['chat', 'multilingual'], description: 'Qwen2.5 72B instruct: the largest dense Qwen2.5, for multi-GPU serving.' },
  { id: 'qwen3-8b', repo: 'Qwen/Qwen3-8B', category: 'LLM', family: 'Qwen3', params: 8_190_735_360, license: 'apache-2.0', dtype: 'bfloat16', context: 40_960, attention: [36, 32, 8, 4096, 128], modelType: 'qwen3', tags: ['chat', 'reasoning'], description: 'Qwen3 8B: one model with thinking and non-thinking modes, for reasoning and chat.' },
  { id: 'qwen3-32b', repo: 'Qwen/Qwen3-32B', category: 'LLM', family: 'Qwen3', params: 32_762_123_264, license: 'apache-2.0', dtype: 'bfloat16', context: 40_960, attention: [64, 64, 8, 5120, 128], modelType: 'qwen3', tags: ['chat', 'reasoning'], description: 'Qwen3 32B: the largest dense Qwen3, with switchable thinking mode.' },
  { id: 'qwen3-30b-a3b', repo: 'Qwen/Qwen3-30B-A3B', category: 'LLM', family: 'Qwen3', params: 30_532_122_624, license: 'apache-2.0', dtype: 'bfloat16', context: 40_960, attention: [48, 32, 4, 2048, 128], modelType: 'qwen3_moe', tags: ['chat', 'reasoning', 'moe'], description: 'Qwen3 30B-A3B: mixture of experts with 3B active parameters — fast decoding, 30B of weights to hold.' },
  { id: 'deepseek-r1-distill-qwen-7b', repo: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B', category: 'LLM', family: 'DeepSeek-R1', params: 7_615_616_512, license: 'mit', dtype: 'bfloat16', context: 131_072, attention: [28, 28, 4, 3584], modelType: 'qwen2', tags: ['reasoning'], description: 'DeepSeek-R1 reasoning distilled into Qwen2.5-Math-7B: chain-of-thought reasoning on one GPU.' },
  { id: 'deepseek-r1-distill-llama-70b', repo: 'deepseek-ai/DeepSeek-R1-Distill-Llama-70B', category: 'LLM', family: 'DeepSeek-R1', params: 70_553_706_496, license: 'mit', dtype: 'bfloat16', context: 131_072, attention: [80, 64, 8, 8192], modelType: 'llama', tags: ['reasoning'], description: 'DeepSeek-R1 reasoning distilled into Llama-3.3-70B-Instruct.' },
  { id: 'deepseek-v3', repo: 'deepseek-ai/DeepSeek-V3', category: 'LLM', family: 'DeepSeek-V3', params: 684_531_386_000, license: 'deepseek', dtype: 'float8', context: 163_840, attention: [61, 128, 128, 7168, 128], kvLatentDim: 576, modelType: 'deepseek_v3', tags: ['chat', 'moe'], description: 'DeepSeek-V3: 671B mixture of experts (37B active) with multi-head latent attention, shipped in FP8; a full 8-GPU H200 node.' },
  { id: 'mistral-7b-instruct-v0.3', repo: 'mistralai/Mistral-7B-Instruct-v0.3', category: 'LLM', family: 'Mistral', params: 7_248_023_552, license: 'apache-2.0', dtype: 'bfloat16', context: 32_768, attention: [32, 32, 8, 4096], modelType: 'mistral', tags: ['chat', 'tools'], description: 'Mistral 7B instruct v0.3: compact chat model with function calling.' },
  { id: 'mixtral-8x7b-instruct-v0.1', repo: 'mistralai/Mixtral-8x7B-Instruct-v0.1', category: 'LLM', family: 'Mixtral', params: 46_702_792_704, license: 'apache-2.0', dtype: 'bfloat16', context: 32_768, attention: [32, 32, 8, 4096], modelType: 'mixtral', tags: ['chat', 'moe'], description: 'Mixtral 8x7B instruct: sparse mixture of experts, 13B active of 47B parameters.' },
  { id: 'gemma-2-9b-it', repo: 'google/gemma-2-9b-it', category: 'LLM', family: 'Gemma 2', params: 9_241_705_984, license: 'gemma', dtype: 'bfloat16', context: 8192, attention: [42, 16, 8, 3584, 256], modelType: 'gemma2', gated: true, tags: ['chat'], description: "Google's Gemma 2 9B instruct: strong quality per parameter, 8K context." },
  { id: 'phi-4', repo: 'microsoft/phi-4', category: 'LLM', family: 'Phi', params: 14_659_507_200, license: 'mit', dtype: 'bfloat16', context: 16_384, attention: [40, 40, 10, 5120], modelType: 'phi3', tags: ['chat', 'reasoning'], description: "Microsoft's Phi-4 14B: reasoning and math from synthetic-data training, 16K context." },
  { id: 'phi-3.5-mini-instruct', repo: 'microsoft/Phi-3.5-mini-instruct', category: 'LLM', family: 'Phi', params: 3_821_079_552, license: 'mit', dtype: 'bfloat16', context: 131_072, attention: [32, 32, 32, 3072], modelType: 'phi3', tags: ['chat', 'edge'], description: 'Phi-3.5 mini 3.8B instruct: small model with a 128K context.' },
  {
    id: 'qwen2.5-0.5b-instruct-gguf-q4_k_m',
    repo: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
    file: 'qwen2.5-0.5b-instruct-q4_k_m.gguf',
    format: 'gguf',
    displayName: 'Qwen2.5-0.5B-Instruct-Q4_K_M',
    category: 'LLM',
    family: 'Qwen2.5',
    params: 630_167_424,
    weightBytes: 485_452_288,
    license: 'apache-2.0',
    dtype: 'Q4_K_M',
    context: 32_768,
    attention: [24, 14, 2, 896],
    modelType: 'qwen2',
    tags: ['chat', 'cpu', 'llama.cpp'],
    description: 'Qwen2.5 0.5B instruct as a Q4_K_M GGUF (491 MB): runs on a CPU with llama.cpp or Ollama.',
  },
  // Code
  { id: 'qwen2.5-coder-7b-instruct', repo: 'Qwen/Qwen2.5-Coder-7B-Instruct', category: 'Code', family: 'Qwen2.5-Coder', params: 7_615_616_512, license: 'apache-2.0', dtype: 'bfloat16', context: 32_768, attention: [28, 28, 4, 3584], modelType: 'qwen2', tags: ['code', 'chat'], description: 'Qwen2.5-Coder 7B instruct: code generation, repair and reasoning across 90+ languages.' },
  { id: 'qwen2.5-coder-32b-instruct', repo: 'Qwen/Qwen2.5-Coder-32B-Instruct', category: 'Code', family: 'Qwen2.5-Coder', params: 32_763_876_352, license: 'apache-2.0', dtype: 'bfloat16', context: 32_768, attention: [64, 40, 8, 5120], modelType: 'qwen2', tags: ['code', 'chat'], description: 'Qwen2.5-Coder 32B instruct: the strongest open Qwen2.5 coding model.' },
  { id: 'starcoder2-15b', repo: 'bigcode/starcoder2-15b', category: 'Code', family: 'StarCoder2', params: 15_957_889_024, license: 'bigcode-openrail-m', dtype: 'float32', context: 16_384, attention: [40, 48, 4, 6144], modelType: 'starcoder2', tags: ['code', 'completion'], description: 'StarCoder2 15B: code completion model trained on The Stack v2 (600+ languages), fill-in-the-middle.' },
  // Vision
  { id: 'qwen2-vl-7b-instruct', repo: 'Qwen/Qwen2-VL-7B-Instruct', category: 'Vision', family: 'Qwen2-VL', params: 8_291_375_616, license: 'apache-2.0', dtype: 'bfloat16', context: 32_768, attention: [28, 28, 4, 3584], modelType: 'qwen2_vl', tags: ['vision', 'chat', 'video'], description: 'Qwen2-VL 7B instruct: images of any resolution and videos in, text out.' },
  { id: 'llama-3.2-11b-vision-instruct', repo: 'meta-llama/Llama-3.2-11B-Vision-Instruct', category: 'Vision', family: 'Llama 3.2', params: 10_670_220_835, license: 'llama3.2', dtype: 'bfloat16', context: 131_072, attention: [40, 32, 8, 4096], modelType: 'mllama', gated: true, tags: ['vision', 'chat'], description: 'Llama 3.2 11B Vision instruct: image reasoning, captioning and visual question answering.' },
  { id: 'gemma-3-27b-it', repo: 'google/gemma-3-27b-it', category: 'Vision', family: 'Gemma 3', params: 27_432_406_640, license: 'gemma', dtype: 'bfloat16', context: 131_072, attention: [62, 32, 16, 5376, 128], modelType: 'gemma3', gated: true, tags: ['vision', 'chat', 'multilingual'], description: "Google's Gemma 3 27B instruct: text and image input, 128K context, 140+ languages." },
  // Embedding
  { id: 'bge-m3', repo: 'BAAI/bge-m3', category: 'Embedding', family: 'BGE', params: 567_754_752, license: 'mit', dtype: 'float32', context: 8192, attention: [24, 16, 16, 1024], modelType: 'xlm-roberta', tags: ['embedding', 'multilingual', 'retrieval'], description: 'BGE-M3: multilingual (100+ languages) dense, sparse and multi-vector retrieval over inputs up to 8192 tokens.' },
  { id: 'e5-mistral-7b-instruct', repo: 'intfloat/e5-mistral-7b-instruct', category: 'Embedding', family: 'E5', params: 7_110_660_096, license: 'mit', dtype: 'float16', context: 32_768, attention: [32, 32, 8, 4096], modelType: 'mistral', tags: ['embedding', 'retrieval'], description: 'E5-Mistral 7B instruct: instruction-tuned text embeddings from Mistral-7B (4096 dimensions).' },
  { id: 'nomic-embed-text-v1.5', repo: 'nomic-ai/nomic-embed-text-v1.5', category: 'Embedding', family: 'Nomic Embed', params: 136_731_648, license: 'apache-2.0', dtype: 'float32', context: 8192, attention: [12, 12, 12, 768], modelType: 'nomic_bert', tags: ['embedding', 'matryoshka'], description: 'Nomic Embed Text v1.5: long-context English embeddings with Matryoshka dimensions (768 down to 64).' },
];

function toPreset(entry: Entry): ModelPreset {
  const [numLayers, numAttentionHeads, numKeyValueHeads, hiddenSize, headDim] = entry.attention;
  const architecture: ModelArchitecture = {
    name: entry.modelType,
    numLayers,
    numAttentionHeads,
    numKeyValueHeads,
    hiddenSize,
    headDim: headDim ?? hiddenSize / numAttentionHeads,
    kvLatentDim: entry.kvLatentDim ?? null,
  };
  const name = entry.displayName ?? entry.repo.split('/')[1]!;
  const sizeB = sizeBFromParameters(entry.params);
  return {
    id: entry.id,
    name,
    hfRepoId: entry.repo,
    hfFile: entry.file ?? null,
    format: entry.format ?? 'safetensors',
    category: entry.category,
    family: entry.family,
    parameterCount: entry.params,
    sizeB,
    displaySize: displaySizeFor(sizeB, name) ?? '',
    description: entry.description,
    license: entry.license,
    dtype: entry.dtype,
    contextLength: entry.context,
    architecture,
    weightBytes: entry.weightBytes ?? null,
    gated: entry.gated ?? false,
    tags: entry.tags ?? [],
  };
}

export const MODEL_PRESETS: readonly ModelPreset[] = Object.freeze(ENTRIES.map(toPreset));

export function findModelPreset(id: string): ModelPreset | undefined {
  return MODEL_PRESETS.find((preset) => preset.id === id);
}

/** The registration body (POST /api/models) for a catalog entry: everything the catalog knows, under `name`. */
export function modelBodyFromPreset(preset: ModelPreset, name: string = preset.name): CreateModelInput & { hfRepoId: string } {
  return {
    name,
    hfRepoId: preset.hfRepoId,
    ...(preset.hfFile ? { hfFile: preset.hfFile } : {}),
    format: preset.format,
    category: preset.category,
    sizeB: preset.sizeB,
    parameterCount: preset.parameterCount,
    displaySize: preset.displaySize,
    description: preset.description,
    license: preset.license,
    dtype: preset.dtype,
    contextLength: preset.contextLength,
    architecture: preset.architecture,
  };
}
