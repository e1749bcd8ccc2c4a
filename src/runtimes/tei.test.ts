import { describe, expect, it } from 'vitest';
import { itRendersKnobTable, type KnobRow } from '../../test/support/knob-table.js';
import { tei } from './tei.js';

/*
 * Expected flags come from TEI's own documentation:
 * [cli] https://huggingface.co/docs/text-embeddings-inference/cli_arguments (text-embeddings-router
 *   --help: --model-id, --dtype {float16, float32}, --pooling {cls, mean, splade, last-token},
 *   --max-concurrent-requests, --max-batch-tokens, --served-model-name, --hostname, -p/--port,
 *   --auto-truncate, --tokenization-workers; each with an [env: NAME=] equivalent)
 * [tour] https://huggingface.co/docs/text-embeddings-inference/quick_tour; [router]
 *   router/src/http/server.rs routes /health, /metrics (also on --prometheus-port, default 9000)
 *   and the OpenAI-compatible /v1/embeddings on the serving port
 */

const CTX = { model: 'BAAI/bge-large-en-v1.5' };
const BASE = ['--model-id', 'BAAI/bge-large-en-v1.5', '--hostname', '0.0.0.0', '--port', '80'];

const ROWS: KnobRow[] = [
  { knob: 'maxConcurrentSequences', optimization: { tier1: { maxConcurrentSequences: 1024 } }, args: ['--max-concurrent-requests', '1024'], doc: 'cli' },
  { knob: 'dtype float16', optimization: { tier1: { dtype: 'float16' } }, args: ['--dtype', 'float16'], doc: 'cli' },
  { knob: 'dtype float32', optimization: { tier1: { dtype: 'float32' } }, args: ['--dtype', 'float32'], doc: 'cli' },
  { knob: 'maxBatchTokens', optimization: { tier2: { maxBatchTokens: 32768 } }, args: ['--max-batch-tokens', '32768'], doc: 'cli' },
  { knob: 'pooling mean', optimization: { tier2: { pooling: 'mean' } }, args: ['--pooling', 'mean'], doc: 'cli' },
  { knob: 'pooling last-token', optimization: { tier2: { pooling: 'last-token' } }, args: ['--pooling', 'last-token'], doc: 'cli' },
];

describe('TEI adapter', () => {
  itRendersKnobTable({
    adapter: tei,
    context: CTX,
    base: { args: BASE },
    rows: ROWS,
    refusals: [
      [{ tier1: { dtype: 'bfloat16' } }, 'TEI accepts dtype auto, float16, float32; "bfloat16" is not one of them'],
      [{ tier2: { pooling: 'max' } }, 'TEI accepts pooling cls, mean, splade, last-token; "max" is not one of them'],
    ],
  });

  it('sets the served model name [cli]', () => {
    expect(tei.render({}, { ...CTX, servedModelName: 'bge' }).args).toEqual([...BASE, '--served-model-name', 'bge']);
  });

  it('warns "TEI has no tensor parallel" and about every generation knob, rendering none of them', () => {
    const out = tei.render(
      {
        tier1: { maxModelLength: 512, gpuMemoryUtilization: 0.5, quantization: 'awq' },
        tier2: { tensorParallelSize: 2, prefixCaching: true, speculativeDecoding: { method: 'ngram', numSpeculativeTokens: 2 } },
      },
      CTX,
    );
    expect(out.args).toEqual(BASE);
    expect(out.warnings.map((warning) => warning.path)).toEqual([
      '/tier1/maxModelLength',
      '/tier1/gpuMemoryUtilization',
      '/tier1/quantization',
      '/tier2/tensorParallelSize',
      '/tier2/prefixCaching',
      '/tier2/speculativeDecoding',
    ]);
    expect(out.warnings[3]?.message).toMatch(/^TEI has no tensor parallel/);
  });

  it('declares the endpoints of the embeddings router; embeddings do not stream, so no include_usage [tour] [router]', () => {
    expect(tei.describe()).toMatchObject({
      image: { repository: 'ghcr.io/huggingface/text-embeddings-inference' },
      command: { host: ['text-embeddings-router'], container: null },
      healthPath: '/health',
      metricsPath: '/metrics',
      openaiBasePath: '/v1',
      supportsIncludeUsage: false,
      workloads: ['embed'],
    });
  });
});
