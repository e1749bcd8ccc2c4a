import {
  displaySizeFor,
  modelNameSchema,
  parseSizeFromName,
  sizeBFromParameters,
  type ModelArchitecture,
  type ModelCategory,
  type ModelDraft,
  type ModelFormat,
} from '../../domain/model.js';
import { FIT_DEFAULTS, recommendResources } from '../../domain/resource-fit.js';
import type { GgufSummary } from './gguf-reader.js';
import type { HfModelInfo } from './hf-client.js';

/**
 * From what the Hub says about a repo to the registry's fields: pure functions, so every rule is
 * tested on recorded answers without a network.
 */

const EMBEDDING_PIPELINES = new Set(['feature-extraction', 'sentence-similarity']);
const VISION_PIPELINES = new Set(['image-text-to-text', 'visual-question-answering', 'image-to-text', 'video-text-to-text', 'any-to-any', 'document-question-answering']);
const EMBEDDING_ARCHITECTURES = new Set(['bert', 'nomic-bert', 'nomic_bert', 'jina-bert-v2', 'xlm-roberta', 'xlm_roberta', 't5encoder', 'modernbert']);
const CODE_NAME = /(^|[-_.\s])(code|coder|codellama|codegemma|codestral|starcoder\d*|codeqwen|deepseek-coder|granite-code)([-_.\s]|$)/i;

/** Safetensors when the repo has .safetensors (or any transformers weights), GGUF when it only has .gguf files. */
export function detectFormat(info: HfModelInfo): ModelFormat {
  const files = (info.siblings ?? []).map((sibling) => sibling.rfilename.toLowerCase());
  if (files.some((file) => file.endsWith('.safetensors')) || info.safetensors?.total) return 'safetensors';
  if (files.some((file) => file.endsWith('.gguf')) || info.gguf) return 'gguf';
  return 'safetensors';
}

/** Preference among the quantizations of a GGUF repo: the common default first. */
const GGUF_PREFERENCE = ['Q4_K_M', 'Q4_K_S', 'Q5_K_M', 'Q4_0', 'Q5_0', 'Q6_K', 'Q8_0', 'IQ4_XS', 'Q3_K_M', 'BF16', 'F16'];

export function quantizationFromFileName(file: string): string | null {
  const match = /(?<![A-Za-z0-9])(I?Q\d_[A-Z0-9]+(?:_[A-Z])?|Q\d_\d|BF16|FP?16|FP?32|MXFP4)(?![A-Za-z0-9])/i.exec(file.replace(/\.gguf$/i, ''));
  return match ? match[1]!.toUpperCase().replace(/^FP/, 'F') : null;
}

/** GGUF model files of a repo: no projectors (mmproj), only the first part of split files. */
export function ggufFiles(info: HfModelInfo): string[] {
  return (info.siblings ?? [])
    .map((sibling) => sibling.rfilename)
    .filter((file) => /\.gguf$/i.test(file) && !/mmproj/i.test(file) && !/-0000[2-9]-of-|-000[1-9]\d-of-/.test(file));
}

export function chooseGgufFile(info: HfModelInfo): string | null {
  const files = ggufFiles(info);
  for (const quantization of GGUF_PREFERENCE) {
    const found = files.find((file) => quantizationFromFileName(file) === quantization);
    if (found) return found;
  }
  return files[0] ?? null;
}

type Config = Record<string, unknown>;

/** Reads a key of config.json, or of its language model's part (text_config) for multimodal models. */
function configValue(config: Config | null, keys: string[]): unknown {
  if (!config) return undefined;
  const parts = [config, config.text_config, config.llm_config, config.language_config].filter((part): part is Config => typeof part === 'object' && part !== null);
  for (const part of parts) {
    for (const key of keys) {
      if (part[key] !== undefined && part[key] !== null) return part[key];
    }
  }
  return undefined;
}

function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

export function architectureFromConfig(config: Config | null): ModelArchitecture | null {
  if (!config) return null;
  const numLayers = positiveInt(configValue(config, ['num_hidden_layers', 'n_layer', 'num_layers', 'n_layers']));
  const numAttentionHeads = positiveInt(configValue(config, ['num_attention_heads', 'n_head', 'n_heads']));
  const hiddenSize = positiveInt(configValue(config, ['hidden_size', 'n_embd', 'd_model']));
  const multiQuery = configValue(config, ['multi_query']) === true;
  const numKeyValueHeads = positiveInt(configValue(config, ['num_key_value_heads', 'n_head_kv', 'num_kv_heads'])) ?? (multiQuery ? 1 : numAttentionHeads);
  const headDim = positiveInt(configValue(config, ['head_dim'])) ?? (hiddenSize && numAttentionHeads && hiddenSize % numAttentionHeads === 0 ? hiddenSize / numAttentionHeads : null);
  const kvLoraRank = positiveInt(configValue(config, ['kv_lora_rank']));
  const ropeDim = positiveInt(configValue(config, ['qk_rope_head_dim']));
  const name = configValue(config, ['model_type']);
  if (!numLayers && !numAttentionHeads && !hiddenSize) return null;
  return {
    name: typeof name === 'string' ? name : null,
    numLayers,
    numAttentionHeads,
    numKeyValueHeads,
    headDim,
    hiddenSize,
    kvLatentDim: kvLoraRank ? kvLoraRank + (ropeDim ?? 0) : null,
  };
}

export function contextLengthFromConfig(config: Config | null): number | null {
  const value = positiveInt(configValue(config, ['max_position_embeddings', 'n_positions', 'max_sequence_length', 'seq_length', 'max_seq_len', 'n_ctx']));
  if (!value) return null;
  // RoBERTa-family position tables hold two extra slots for the padding offset (514 → 512).
  const modelType = configValue(config, ['model_type']);
  if ((modelType === 'xlm-roberta' || modelType === 'roberta' || modelType === 'camembert') && value > 2) return value - 2;
  return value;
}

const SAFETENSORS_DTYPES: Record<string, string> = {
  BF16: 'bfloat16',
  F16: 'float16',
  F32: 'float32',
  F64: 'float64',
  F8_E4M3: 'float8',
  F8_E5M2: 'float8',
  I8: 'int8',
  U8: 'int8',
};

/**
 * The weights' dtype: the dtype holding most parameters in the safetensors index, or the
 * quantization of pre-quantized checkpoints (GPTQ/AWQ pack 4-bit weights into I32), else
 * config.json's torch_dtype.
 */
export function dtypeFromInfo(info: HfModelInfo, config: Config | null): string | null {
  const quantization = configValue(config, ['quantization_config']) as Config | undefined;
  if (quantization && typeof quantization === 'object') {
    const bits = quantization.bits ?? quantization.w_bit;
    if (bits === 4) return 'int4';
    if (bits === 8) return 'int8';
    if (typeof quantization.quant_method === 'string' && /fp8/i.test(quantization.quant_method)) return 'float8';
  }
  const byDtype = Object.entries(info.safetensors?.parameters ?? {}).sort((a, b) => b[1] - a[1]);
  const top = byDtype[0]?.[0];
  if (top && SAFETENSORS_DTYPES[top]) return SAFETENSORS_DTYPES[top];
  const torchDtype = configValue(config, ['torch_dtype', 'dtype']);
  if (typeof torchDtype === 'string') return torchDtype.replace(/^torch\./, '');
  return null;
}

export function licenseFromInfo(info: HfModelInfo): string | null {
  const card = info.cardData ?? {};
  const license = card.license;
  const name = card.license_name;
  if (license === 'other' && typeof name === 'string' && name) return name;
  if (typeof license === 'string' && license) return license;
  if (Array.isArray(license) && typeof license[0] === 'string') return license[0];
  const tag = info.tags?.find((value) => value.startsWith('license:'));
  return tag ? tag.slice('license:'.length) : null;
}

export function categoryFromInfo(info: HfModelInfo, config: Config | null, name: string, architectureName: string | null): ModelCategory {
  const pipeline = info.pipeline_tag ?? (typeof info.cardData?.pipeline_tag === 'string' ? info.cardData.pipeline_tag : undefined);
  const tags = new Set(info.tags ?? []);
  if (pipeline && EMBEDDING_PIPELINES.has(pipeline)) return 'Embedding';
  if (!pipeline && (tags.has('sentence-transformers') || tags.has('feature-extraction') || (architectureName && EMBEDDING_ARCHITECTURES.has(architectureName)))) return 'Embedding';
  if (pipeline && VISION_PIPELINES.has(pipeline)) return 'Vision';
  if (config && (config.vision_config !== undefined || config.vision_tower !== undefined)) return 'Vision';
  if (tags.has('code') || tags.has('codeqwen') || CODE_NAME.test(name)) return 'Code';
  return 'LLM';
}

/** The repo's name made into a registry name ("org/Name" → "Name"). */
export function nameFromRepo(repoId: string): string {
  const base = repoId.split('/')[1] ?? repoId;
  return modelNameSchema.safeParse(base).success ? base : base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128) || 'model';
}

const CATEGORY_NOUN: Record<ModelCategory, string> = {
  LLM: 'language model',
  Vision: 'vision-language model',
  Code: 'code model',
  Embedding: 'embedding model',
};

export function synthesizeDescription(parts: {
  name: string;
  author: string | null;
  category: ModelCategory;
  pipeline: string | null;
  displaySize: string | null;
  architecture: string | null;
  format: ModelFormat;
  dtype: string | null;
  hfFile: string | null;
  contextLength: number | null;
  license: string | null;
  gated: boolean;
}): string {
  const size = parts.displaySize ? `${parts.displaySize}-parameter ` : '';
  const noun = parts.pipeline ? `${parts.pipeline} ${CATEGORY_NOUN[parts.category]}` : CATEGORY_NOUN[parts.category];
  const weights =
    parts.format === 'gguf'
      ? [parts.dtype, 'GGUF', parts.hfFile ? `(${parts.hfFile})` : null].filter(Boolean).join(' ')
      : [parts.dtype, 'safetensors'].filter(Boolean).join(' ');
  const details = [parts.architecture, weights].filter(Boolean).join(', ');
  const context = parts.contextLength ? ` with a ${parts.contextLength.toLocaleString('en-US')}-token context` : '';
  const by = parts.author ? ` by ${parts.author}` : '';
  const sentences = [`${parts.name}${by}: a ${size}${noun} (${details})${context}.`];
  if (parts.license) sentences.push(`License: ${parts.license}.`);
  if (parts.gated) sentences.push('Gated on the Hub: downloading it needs HF_TOKEN.');
  return sentences.join(' ');
}

export interface DraftInputs {
  repoId: string;
  revision: string;
  info: HfModelInfo;
  /** config.json; null when the repo has none (or it is a GGUF repo). */
  config: Config | null;
  /** For GGUF repos: the chosen file and its header, when it could be read. */
  hfFile: string | null;
  gguf: GgufSummary | null;
  name?: string | undefined;
  notes: string[];
}

/** The eight fields of SPEC section 2 (and the rest of a registry entry) from the Hub's metadata. */
export function buildDraft(inputs: DraftInputs): ModelDraft {
  const { info, config, gguf } = inputs;
  const notes = [...inputs.notes];
  const format = detectFormat(info);
  const name = inputs.name ?? nameFromRepo(inputs.repoId);
  const repoName = inputs.repoId.split('/')[1] ?? inputs.repoId;

  let architecture = architectureFromConfig(config);
  if (!architecture && gguf) {
    architecture = {
      name: gguf.architecture,
      numLayers: gguf.numLayers,
      numAttentionHeads: gguf.numAttentionHeads,
      numKeyValueHeads: gguf.numKeyValueHeads,
      headDim: gguf.headDim !== null && Number.isInteger(gguf.headDim) ? gguf.headDim : null,
      hiddenSize: gguf.hiddenSize,
      kvLatentDim: null,
    };
  }
  const architectureName = architecture?.name ?? gguf?.architecture ?? info.gguf?.architecture ?? (typeof info.config?.model_type === 'string' ? info.config.model_type : null);

  let parameterCount: number | null = info.safetensors?.total ?? null;
  if (!parameterCount && format === 'gguf') parameterCount = gguf?.parameterCount ?? info.gguf?.total ?? null;
  let sizeB = parameterCount ? sizeBFromParameters(parameterCount) : null;
  if (sizeB === null) {
    const fromName = parseSizeFromName(repoName);
    if (fromName) {
      sizeB = fromName.sizeB;
      notes.push(`The Hub gives no parameter count for ${inputs.repoId}: size ${fromName.label} read from its name.`);
    } else {
      notes.push(`The Hub gives no parameter count for ${inputs.repoId} and its name carries no size: set sizeB by hand.`);
    }
  }

  const category = categoryFromInfo(info, config, repoName, architectureName);
  const dtype = format === 'gguf' ? (gguf?.quantization ?? (inputs.hfFile ? quantizationFromFileName(inputs.hfFile) : null)) : dtypeFromInfo(info, config);
  const contextLength = format === 'gguf' ? (gguf?.contextLength ?? info.gguf?.context_length ?? null) : (contextLengthFromConfig(config) ?? info.gguf?.context_length ?? null);
  const license = licenseFromInfo(info) ?? gguf?.license ?? null;
  const displaySize = displaySizeFor(sizeB, repoName);
  const explicitDescription = typeof info.description === 'string' && info.description.trim() ? info.description.trim() : typeof info.cardData?.description === 'string' && info.cardData.description.trim() ? info.cardData.description.trim() : '';
  const gated = info.gated !== undefined && info.gated !== false;
  const description =
    explicitDescription ||
    synthesizeDescription({
      name: repoName,
      author: info.author ?? inputs.repoId.split('/')[0] ?? null,
      category,
      pipeline: info.pipeline_tag ?? null,
      displaySize,
      architecture: architectureName,
      format,
      dtype,
      hfFile: inputs.hfFile,
      contextLength,
      license,
      gated,
    });
  const weightBytes = format === 'gguf' ? (gguf?.weightBytes ?? null) : null;

  const draft: ModelDraft = {
    name,
    format,
    hfRepoId: inputs.repoId,
    revision: inputs.revision,
    hfFile: format === 'gguf' ? inputs.hfFile : null,
    category,
    sizeB,
    parameterCount,
    displaySize,
    description: description.slice(0, 4000),
    license: license ? license.slice(0, 100) : null,
    dtype,
    contextLength,
    architecture,
    weightBytes,
    recommendation: null,
    notes,
  };
  draft.recommendation = recommendResources(draft, { gpuMemoryGiB: FIT_DEFAULTS.gpuMemoryGiB });
  return draft;
}
