import { describe, expect, it } from 'vitest';
import { itRendersKnobTable, type KnobRow } from '../../test/support/knob-table.js';
import { tgi } from './tgi.js';

/*
 * Expected flags come from TGI's own documentation:
 * [launcher] https://huggingface.co/docs/text-generation-inference/reference/launcher
 *   (text-generation-launcher --help: --model-id, --hostname, -p/--port, --max-input-tokens,
 *   --max-total-tokens, --max-concurrent-requests, --cuda-memory-fraction, --dtype {float16,bfloat16}
 *   "cannot be used with --quantize", --quantize {awq, compressed-tensors, eetq, exl2, gptq, marlin,
 *   bitsandbytes, bitsandbytes-nf4, bitsandbytes-fp4, fp8}, --num-shard, --speculate N (n-gram, or
 *   the model's Medusa heads), --kv-cache-dtype {fp8_e4m3fn, fp8_e5m2}, --max-batch-prefill-tokens,
 *   --cuda-graphs; each with an [env: NAME=] equivalent)
 * [messages] https://huggingface.co/docs/text-generation-inference/messages_api (OpenAI /v1)
 * [metrics] https://huggingface.co/docs/text-generation-inference/reference/metrics (/metrics);
 *   /health from the router's OpenAPI document
 */

const CTX = { model: '/models/mistral-7b' };
const BASE = ['--model-id', '/models/mistral-7b', '--hostname', '0.0.0.0', '--port', '80'];

const ROWS: KnobRow[] = [
  {
    knob: 'maxModelLength (prompt may use all but one token)',
    optimization: { tier1: { maxModelLength: 8192 } },
    args: ['--max-input-tokens', '8191', '--max-total-tokens', '8192'],
    doc: 'launcher MAX_INPUT_TOKENS, MAX_TOTAL_TOKENS',
  },
  { knob: 'gpuMemoryUtilization', optimization: { tier1: { gpuMemoryUtilization: 0.8 } }, args: ['--cuda-memory-fraction', '0.8'], doc: 'launcher CUDA_MEMORY_FRACTION' },
  { knob: 'maxConcurrentSequences', optimization: { tier1: { maxConcurrentSequences: 256 } }, args: ['--max-concurrent-requests', '256'], doc: 'launcher MAX_CONCURRENT_REQUESTS' },
  { knob: 'dtype bfloat16', optimization: { tier1: { dtype: 'bfloat16' } }, args: ['--dtype', 'bfloat16'], doc: 'launcher DTYPE' },
  { knob: 'dtype float16', optimization: { tier1: { dtype: 'float16' } }, args: ['--dtype', 'float16'], doc: 'launcher DTYPE' },
  { knob: 'quantization awq', optimization: { tier1: { quantization: 'awq' } }, args: ['--quantize', 'awq'], doc: 'launcher QUANTIZE' },
  { knob: 'quantization bitsandbytes-nf4', optimization: { tier1: { quantization: 'bitsandbytes-nf4' } }, args: ['--quantize', 'bitsandbytes-nf4'], doc: 'launcher QUANTIZE' },
  { knob: 'quantization eetq', optimization: { tier1: { quantization: 'eetq' } }, args: ['--quantize', 'eetq'], doc: 'launcher QUANTIZE' },
  { knob: 'tensorParallelSize', optimization: { tier2: { tensorParallelSize: 2 } }, args: ['--num-shard', '2'], doc: 'launcher NUM_SHARD' },
  {
    knob: 'speculativeDecoding ngram',
    optimization: { tier2: { speculativeDecoding: { method: 'ngram', numSpeculativeTokens: 2 } } },
    args: ['--speculate', '2'],
    doc: 'launcher SPECULATE',
  },
  {
    knob: 'speculativeDecoding medusa (heads from the model)',
    optimization: { tier2: { speculativeDecoding: { method: 'medusa', numSpeculativeTokens: 3 } } },
    args: ['--speculate', '3'],
    doc: 'launcher SPECULATE',
  },
  { knob: 'kvCacheDtype', optimization: { tier2: { kvCacheDtype: 'fp8_e5m2' } }, args: ['--kv-cache-dtype', 'fp8_e5m2'], doc: 'launcher KV_CACHE_DTYPE' },
  {
    knob: 'maxBatchTokens with maxModelLength',
    optimization: { tier1: { maxModelLength: 4096 }, tier2: { maxBatchTokens: 4096 } },
    args: ['--max-input-tokens', '4095', '--max-total-tokens', '4096', '--max-batch-prefill-tokens', '4096'],
    doc: 'launcher MAX_BATCH_PREFILL_TOKENS',
  },
];

describe('TGI adapter', () => {
  itRendersKnobTable({
    adapter: tgi,
    context: CTX,
    base: { args: BASE },
    rows: ROWS,
    refusals: [
      [{ tier1: { dtype: 'float32' } }, 'TGI accepts dtype auto, float16, bfloat16; "float32" is not one of them'],
      [{ tier1: { dtype: 'float16', quantization: 'awq' } }, 'TGI refuses --dtype together with --quantize'],
      [{ tier1: { quantization: 'gguf' } }, 'TGI accepts quantization awq, compressed-tensors'],
      [{ tier2: { kvCacheDtype: 'fp8' } }, 'TGI accepts KV cache dtype fp8_e4m3fn, fp8_e5m2; "fp8" is not one of them'],
      [{ tier2: { speculativeDecoding: { method: 'eagle3', draftModel: 'x/y', numSpeculativeTokens: 3 } } }, 'TGI accepts speculative decoding method ngram, medusa'],
      [{ tier2: { speculativeDecoding: { method: 'medusa', draftModel: 'x/y', numSpeculativeTokens: 3 } } }, 'TGI takes no draft model'],
      [{ tier1: { maxModelLength: 1 } }, 'TGI needs maxModelLength of at least 2'],
      [{ tier1: { maxModelLength: 8192 }, tier2: { maxBatchTokens: 4096 } }, 'TGI needs maxBatchTokens (--max-batch-prefill-tokens) of at least the longest prompt, 8191 tokens'],
    ],
  });

  it('warns that a prefill budget without maxModelLength may be below the prompt length TGI derives', () => {
    const out = tgi.render({ tier2: { maxBatchTokens: 2048 } }, CTX);
    expect(out.args).toEqual([...BASE, '--max-batch-prefill-tokens', '2048']);
    expect(out.warnings).toEqual([{ path: '/tier2/maxBatchTokens', message: expect.stringContaining('set maxModelLength too') }]);
  });

  it('warns that prefix caching and chunked prefill have no launcher flag, and renders nothing for them', () => {
    const out = tgi.render({ tier2: { prefixCaching: true, chunkedPrefill: false } }, CTX);
    expect(out.args).toEqual(BASE);
    expect(out.warnings).toEqual([
      { path: '/tier2/prefixCaching', message: expect.stringContaining('no flag') },
      { path: '/tier2/chunkedPrefill', message: expect.stringContaining('no flag') },
    ]);
  });

  it('declares the endpoints and image of the TGI router [messages] [metrics]', () => {
    expect(tgi.describe()).toMatchObject({
      image: { repository: 'ghcr.io/huggingface/text-generation-inference' },
      command: { host: ['text-generation-launcher'], container: null },
      port: 80,
      healthPath: '/health',
      metricsPath: '/metrics',
      openaiBasePath: '/v1',
      supportsIncludeUsage: true,
      workloads: ['generate'],
    });
  });
});
