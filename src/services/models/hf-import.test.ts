import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { qwen05bQ4KMHeader } from '../../../test/fakes/fake-hf-hub.js';
import { readGgufHeader, summarizeGguf, type ByteSource } from './gguf-reader.js';
import { hfModelInfoSchema, type HfModelInfo } from './hf-client.js';
import {
  architectureFromConfig,
  buildDraft,
  categoryFromInfo,
  chooseGgufFile,
  contextLengthFromConfig,
  dtypeFromInfo,
  licenseFromInfo,
  quantizationFromFileName,
} from './hf-import.js';

const fixture = (repo: string, file: string) => JSON.parse(readFileSync(new URL(`../../../test/fixtures/hf-hub/${repo}/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const info = (repo: string): HfModelInfo => hfModelInfoSchema.parse(fixture(repo, 'api.json'));
const config = (repo: string) => fixture(repo, 'files/config.json');

async function qwenGgufSummary() {
  const bytes = qwen05bQ4KMHeader();
  const source: ByteSource = { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
  return summarizeGguf(await readGgufHeader(source));
}

describe('buildDraft from recorded Hub answers', () => {
  it.each([
    {
      repo: 'Qwen/Qwen2.5-0.5B-Instruct',
      expected: { name: 'Qwen2.5-0.5B-Instruct', category: 'LLM', sizeB: 0.494033, parameterCount: 494_032_768, displaySize: '500M', license: 'apache-2.0', dtype: 'bfloat16', contextLength: 32_768 },
      architecture: { name: 'qwen2', numLayers: 24, numAttentionHeads: 14, numKeyValueHeads: 2, headDim: 64, hiddenSize: 896 },
    },
    {
      repo: 'Qwen/Qwen2.5-72B-Instruct',
      expected: { name: 'Qwen2.5-72B-Instruct', category: 'LLM', sizeB: 72.706204, displaySize: '72B', license: 'qwen', dtype: 'bfloat16', contextLength: 32_768 },
      architecture: { numLayers: 80, numAttentionHeads: 64, numKeyValueHeads: 8, headDim: 128, hiddenSize: 8192 },
    },
    {
      repo: 'meta-llama/Llama-3.1-70B-Instruct',
      expected: { name: 'Llama-3.1-70B-Instruct', category: 'LLM', sizeB: 70.553706, displaySize: '70B', license: 'llama3.1', dtype: 'bfloat16', contextLength: 131_072 },
      architecture: { name: 'llama', numLayers: 80, numAttentionHeads: 64, numKeyValueHeads: 8, headDim: 128 },
    },
    {
      repo: 'intfloat/e5-mistral-7b-instruct',
      expected: { name: 'e5-mistral-7b-instruct', category: 'Embedding', sizeB: 7.11066, displaySize: '7B', license: 'mit', dtype: 'float16', contextLength: 32_768 },
      architecture: { name: 'mistral', numLayers: 32, numAttentionHeads: 32, numKeyValueHeads: 8 },
    },
    {
      repo: 'Qwen/Qwen2-VL-7B-Instruct',
      expected: { name: 'Qwen2-VL-7B-Instruct', category: 'Vision', sizeB: 8.291376, displaySize: '7B', license: 'apache-2.0', dtype: 'bfloat16', contextLength: 32_768 },
      architecture: { name: 'qwen2_vl', numLayers: 28, numAttentionHeads: 28, numKeyValueHeads: 4, hiddenSize: 3584 },
    },
    {
      repo: 'Qwen/Qwen2.5-Coder-7B-Instruct',
      expected: { name: 'Qwen2.5-Coder-7B-Instruct', category: 'Code', sizeB: 7.615617, displaySize: '7B', license: 'apache-2.0', dtype: 'bfloat16', contextLength: 32_768 },
      architecture: { numLayers: 28, numAttentionHeads: 28, numKeyValueHeads: 4 },
    },
  ])('fills the fields of $repo', ({ repo, expected, architecture }) => {
    const draft = buildDraft({ repoId: repo, revision: 'main', info: info(repo), config: config(repo), hfFile: null, gguf: null, notes: [] });
    expect(draft).toMatchObject({ ...expected, format: 'safetensors', hfRepoId: repo, revision: 'main', hfFile: null, notes: [] });
    expect(draft.architecture).toMatchObject(architecture);
    expect(draft.description).toContain(repo.split('/')[1]);
    expect(draft.description).toContain(`License: ${expected.license}.`);
    expect(draft.recommendation?.kvCacheBasis).toBe('architecture');
  });

  it('fills a GGUF repo from its gguf block and the chosen file header', async () => {
    const repo = 'Qwen/Qwen2.5-0.5B-Instruct-GGUF';
    const repoInfo = info(repo);
    const file = chooseGgufFile(repoInfo);
    expect(file).toBe('qwen2.5-0.5b-instruct-q4_k_m.gguf');
    const draft = buildDraft({ repoId: repo, revision: 'main', info: repoInfo, config: null, hfFile: file, gguf: await qwenGgufSummary(), notes: [] });
    expect(draft).toMatchObject({
      name: 'Qwen2.5-0.5B-Instruct-GGUF',
      format: 'gguf',
      hfFile: 'qwen2.5-0.5b-instruct-q4_k_m.gguf',
      category: 'LLM',
      parameterCount: 630_167_424,
      sizeB: 0.630167,
      displaySize: '630M',
      license: 'apache-2.0',
      dtype: 'Q4_K_M',
      contextLength: 32_768,
      weightBytes: 485_452_288,
      architecture: { name: 'qwen2', numLayers: 24, numAttentionHeads: 14, numKeyValueHeads: 2, headDim: 64, hiddenSize: 896 },
    });
    expect(draft.description).toBe(
      'Qwen2.5-0.5B-Instruct-GGUF by Qwen: a 630M-parameter text-generation language model (qwen2, Q4_K_M GGUF (qwen2.5-0.5b-instruct-q4_k_m.gguf)) with a 32,768-token context. License: apache-2.0.',
    );
    expect(draft.recommendation?.weightsBasis).toBe('file');
  });

  it('falls back to the gguf block when the header could not be read', () => {
    const repo = 'Qwen/Qwen2.5-0.5B-Instruct-GGUF';
    const draft = buildDraft({ repoId: repo, revision: 'main', info: info(repo), config: null, hfFile: 'qwen2.5-0.5b-instruct-q8_0.gguf', gguf: null, notes: ['header unreadable'] });
    expect(draft).toMatchObject({ parameterCount: 630_167_424, contextLength: 32_768, dtype: 'Q8_0', architecture: null, notes: ['header unreadable'] });
    expect(draft.recommendation?.kvCacheBasis).toBe('estimate');
  });

  it('mentions a gate in the description', () => {
    const repo = 'meta-llama/Llama-3.1-70B-Instruct';
    const draft = buildDraft({ repoId: repo, revision: 'main', info: info(repo), config: config(repo), hfFile: null, gguf: null, notes: [] });
    expect(draft.description).toBe(
      'Llama-3.1-70B-Instruct by meta-llama: a 70B-parameter text-generation language model (llama, bfloat16 safetensors) with a 131,072-token context. License: llama3.1. Gated on the Hub: downloading it needs HF_TOKEN.',
    );
  });

  it('reads the size from the name when the Hub gives no parameter count, and says so', () => {
    const bare: HfModelInfo = { id: 'someone/tiny-llama-1.1B-chat', pipeline_tag: 'text-generation', siblings: [{ rfilename: 'pytorch_model.bin' }] };
    const draft = buildDraft({ repoId: bare.id, revision: 'main', info: bare, config: null, hfFile: null, gguf: null, notes: [] });
    expect(draft).toMatchObject({ sizeB: 1.1, parameterCount: null, displaySize: '1.1B', license: null, dtype: null, contextLength: null });
    expect(draft.notes).toEqual(['The Hub gives no parameter count for someone/tiny-llama-1.1B-chat: size 1.1B read from its name.']);

    const sizeless = buildDraft({ repoId: 'BAAI/bge-m3', revision: 'main', info: { id: 'BAAI/bge-m3', pipeline_tag: 'sentence-similarity' }, config: null, hfFile: null, gguf: null, notes: [] });
    expect(sizeless).toMatchObject({ sizeB: null, displaySize: null, category: 'Embedding', recommendation: null });
    expect(sizeless.notes[0]).toContain('set sizeB by hand');
  });

  it('keeps a description the Hub gives', () => {
    const withDescription: HfModelInfo = { ...info('Qwen/Qwen2.5-0.5B-Instruct'), description: 'A small instruct model.' };
    const draft = buildDraft({ repoId: 'Qwen/Qwen2.5-0.5B-Instruct', revision: 'main', info: withDescription, config: null, hfFile: null, gguf: null, notes: [] });
    expect(draft.description).toBe('A small instruct model.');
  });
});

describe('field rules', () => {
  it.each([
    [{ id: 'a/b', pipeline_tag: 'sentence-similarity' }, 'b', 'Embedding'],
    [{ id: 'a/b', pipeline_tag: 'feature-extraction' }, 'b', 'Embedding'],
    [{ id: 'a/b', tags: ['sentence-transformers'] }, 'b', 'Embedding'],
    [{ id: 'a/b', pipeline_tag: 'image-text-to-text' }, 'b', 'Vision'],
    [{ id: 'a/b', pipeline_tag: 'text-generation', tags: ['code'] }, 'b', 'Code'],
    [{ id: 'a/b', pipeline_tag: 'text-generation' }, 'deepseek-coder-6.7b-instruct', 'Code'],
    [{ id: 'a/b', pipeline_tag: 'text-generation' }, 'starcoder2-15b', 'Code'],
    [{ id: 'a/b', pipeline_tag: 'text2text-generation' }, 'flan-t5-encoder-decoder', 'LLM'],
    [{ id: 'a/b', pipeline_tag: 'text-generation' }, 'Llama-3.1-8B-Instruct', 'LLM'],
  ] as Array<[HfModelInfo, string, string]>)('%j named %s is %s', (repoInfo, name, category) => {
    expect(categoryFromInfo(repoInfo, null, name, null)).toBe(category);
  });

  it('treats a config with a vision tower as Vision even without a pipeline tag', () => {
    expect(categoryFromInfo({ id: 'a/b' }, { vision_config: {} }, 'b', null)).toBe('Vision');
  });

  it('reads multimodal configs through text_config', () => {
    const mllama = { model_type: 'mllama', vision_config: {}, text_config: { num_hidden_layers: 40, num_attention_heads: 32, num_key_value_heads: 8, hidden_size: 4096, max_position_embeddings: 131_072, model_type: 'mllama_text_model' } };
    expect(architectureFromConfig(mllama)).toMatchObject({ name: 'mllama', numLayers: 40, numAttentionHeads: 32, numKeyValueHeads: 8, headDim: 128 });
    expect(contextLengthFromConfig(mllama)).toBe(131_072);
  });

  it('reads latent attention and multi-query configs', () => {
    expect(architectureFromConfig({ model_type: 'deepseek_v3', num_hidden_layers: 61, num_attention_heads: 128, num_key_value_heads: 128, hidden_size: 7168, kv_lora_rank: 512, qk_rope_head_dim: 64 })).toMatchObject({ kvLatentDim: 576 });
    expect(architectureFromConfig({ model_type: 'gpt_bigcode', n_layer: 40, n_head: 48, n_embd: 6144, multi_query: true })).toMatchObject({ numLayers: 40, numKeyValueHeads: 1, headDim: 128 });
  });

  it('drops the padding offset of RoBERTa-family position tables', () => {
    expect(contextLengthFromConfig({ model_type: 'xlm-roberta', max_position_embeddings: 8194 })).toBe(8192);
    expect(contextLengthFromConfig({ model_type: 'bert', max_position_embeddings: 512 })).toBe(512);
  });

  it('reads dtypes from the safetensors index, pre-quantized configs and torch_dtype', () => {
    expect(dtypeFromInfo({ id: 'a/b', safetensors: { parameters: { BF16: 10, F32: 2 }, total: 12 } }, null)).toBe('bfloat16');
    expect(dtypeFromInfo({ id: 'a/b', safetensors: { parameters: { I32: 900, F16: 100 }, total: 1000 } }, { quantization_config: { bits: 4, quant_method: 'gptq' } })).toBe('int4');
    expect(dtypeFromInfo({ id: 'a/b', safetensors: { parameters: { F8_E4M3: 900, BF16: 100 }, total: 1000 } }, { quantization_config: { quant_method: 'fp8' } })).toBe('float8');
    expect(dtypeFromInfo({ id: 'a/b', safetensors: { parameters: { F8_E4M3: 900, BF16: 100 }, total: 1000 } }, null)).toBe('float8');
    expect(dtypeFromInfo({ id: 'a/b' }, { torch_dtype: 'float16' })).toBe('float16');
    expect(dtypeFromInfo({ id: 'a/b' }, null)).toBeNull();
  });

  it('reads licenses from the card, the named "other" license, or the tags', () => {
    expect(licenseFromInfo({ id: 'a/b', cardData: { license: 'other', license_name: 'qwen' } })).toBe('qwen');
    expect(licenseFromInfo({ id: 'a/b', cardData: { license: 'mit' } })).toBe('mit');
    expect(licenseFromInfo({ id: 'a/b', tags: ['license:cc-by-4.0'] })).toBe('cc-by-4.0');
    expect(licenseFromInfo({ id: 'a/b' })).toBeNull();
  });

  it('names GGUF quantizations from file names and prefers Q4_K_M, skipping projectors and later split parts', () => {
    expect(quantizationFromFileName('Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf')).toBe('Q4_K_M');
    expect(quantizationFromFileName('qwen2.5-0.5b-instruct-fp16.gguf')).toBe('F16');
    expect(quantizationFromFileName('gemma-3-27b-it-BF16.gguf')).toBe('BF16');
    expect(quantizationFromFileName('model-IQ4_XS.gguf')).toBe('IQ4_XS');
    expect(quantizationFromFileName('model.Q8_0.gguf')).toBe('Q8_0');
    const repoInfo: HfModelInfo = {
      id: 'a/b',
      siblings: ['mmproj-model-f16.gguf', 'model-Q8_0.gguf', 'model-Q4_K_M-00002-of-00002.gguf', 'model-Q4_K_M-00001-of-00002.gguf'].map((rfilename) => ({ rfilename })),
    };
    expect(chooseGgufFile(repoInfo)).toBe('model-Q4_K_M-00001-of-00002.gguf');
    expect(chooseGgufFile({ id: 'a/b', siblings: [{ rfilename: 'README.md' }] })).toBeNull();
  });
});
