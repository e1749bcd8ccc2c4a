import { describe, expect, it } from 'vitest';
import { itRendersKnobTable, type KnobRow } from '../../test/support/knob-table.js';
import { ollama } from './ollama.js';

/*
 * Expected variables come from Ollama's own documentation:
 * [faq] https://github.com/ollama/ollama/blob/main/docs/faq.md (server settings are environment
 *   variables of `ollama serve`: OLLAMA_HOST, OLLAMA_NUM_PARALLEL, OLLAMA_MAX_LOADED_MODELS,
 *   OLLAMA_KEEP_ALIVE, OLLAMA_FLASH_ATTENTION=1, OLLAMA_KV_CACHE_TYPE {f16, q8_0, q4_0}, which
 *   needs flash attention)
 * [envconfig] envconfig/config.go (OLLAMA_HOST "IP Address for the ollama server (default
 *   127.0.0.1:11434)"; booleans parsed with strconv.ParseBool)
 * [context] docs/context-length.mdx (OLLAMA_CONTEXT_LENGTH=64000 ollama serve)
 * [openai] docs/openai.md (/v1, stream_options include_usage); GET /api/version answers when up;
 *   Ollama exports no Prometheus inference metrics
 */

const CTX = { model: 'llama3.1:8b' };
const BASE_ENV = { OLLAMA_HOST: '0.0.0.0:11434' };

const ROWS: KnobRow[] = [
  { knob: 'maxModelLength', optimization: { tier1: { maxModelLength: 32768 } }, env: { OLLAMA_CONTEXT_LENGTH: '32768' }, doc: 'context' },
  { knob: 'maxConcurrentSequences', optimization: { tier1: { maxConcurrentSequences: 4 } }, env: { OLLAMA_NUM_PARALLEL: '4' }, doc: 'faq' },
  {
    knob: 'kvCacheDtype with flash attention',
    optimization: { tier2: { kvCacheDtype: 'q8_0', flashAttention: true } },
    env: { OLLAMA_KV_CACHE_TYPE: 'q8_0', OLLAMA_FLASH_ATTENTION: '1' },
    doc: 'faq',
  },
  { knob: 'flashAttention off', optimization: { tier2: { flashAttention: false } }, env: { OLLAMA_FLASH_ATTENTION: '0' }, doc: 'faq, envconfig' },
  { knob: 'keepAlive', optimization: { tier2: { keepAlive: '24h' } }, env: { OLLAMA_KEEP_ALIVE: '24h' }, doc: 'faq' },
  { knob: 'keepAlive forever', optimization: { tier2: { keepAlive: '-1' } }, env: { OLLAMA_KEEP_ALIVE: '-1' }, doc: 'faq' },
  { knob: 'maxLoadedModels', optimization: { tier2: { maxLoadedModels: 2 } }, env: { OLLAMA_MAX_LOADED_MODELS: '2' }, doc: 'faq' },
];

describe('Ollama adapter', () => {
  itRendersKnobTable({
    adapter: ollama,
    context: CTX,
    base: { env: BASE_ENV },
    rows: ROWS,
    refusals: [
      [{ tier2: { kvCacheDtype: 'q4_1' } }, 'Ollama accepts KV cache dtype f16, q8_0, q4_0; "q4_1" is not one of them'],
      [{ tier2: { kvCacheDtype: 'q8_0', flashAttention: false } }, 'Ollama quantizes the KV cache (q8_0) only with flash attention'],
    ],
  });

  it('binds OLLAMA_HOST to the given address and port, bracketing IPv6 [envconfig]', () => {
    expect(ollama.render({}, { ...CTX, host: '127.0.0.1', port: 12000 }).env).toEqual({ OLLAMA_HOST: '127.0.0.1:12000' });
    expect(ollama.render({}, { ...CTX, host: '::', port: 11434 }).env).toEqual({ OLLAMA_HOST: '[::]:11434' });
  });

  it('passes no arguments to `ollama serve` and warns that extraArgs are not applied; extraEnv is', () => {
    const out = ollama.render({ raw: { extraArgs: ['--verbose'], extraEnv: { OLLAMA_DEBUG: '1' } } }, CTX);
    expect(out.args).toEqual([]);
    expect(out.env).toEqual({ ...BASE_ENV, OLLAMA_DEBUG: '1' });
    expect(out.warnings).toEqual([{ path: '/raw/extraArgs', message: 'Ollama takes no command-line arguments; use extraEnv instead.' }]);
  });

  it('warns about per-model and missing settings instead of dropping them silently', () => {
    const out = ollama.render({ tier1: { gpuMemoryUtilization: 0.9 }, tier2: { gpuLayers: 20, tensorParallelSize: 2, speculativeDecoding: { method: 'ngram', numSpeculativeTokens: 2 } } }, CTX);
    expect(out.env).toEqual(BASE_ENV);
    expect(out.warnings.map((warning) => warning.path)).toEqual(['/tier1/gpuMemoryUtilization', '/tier2/tensorParallelSize', '/tier2/speculativeDecoding', '/tier2/gpuLayers']);
  });

  it('declares /api/version as health and no metrics path [openai]', () => {
    expect(ollama.describe()).toMatchObject({
      image: { repository: 'ollama/ollama' },
      command: { host: ['ollama', 'serve'], container: ['/bin/ollama', 'serve'] },
      port: 11434,
      healthPath: '/api/version',
      metricsPath: null,
      openaiBasePath: '/v1',
      supportsIncludeUsage: true,
      knobs: { raw: { extraArgs: false, extraEnv: true } },
    });
  });
});
