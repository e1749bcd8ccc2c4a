import { describe, expect, it } from 'vitest';
import { itRendersKnobTable, type KnobRow } from '../../test/support/knob-table.js';
import { vllm } from './vllm.js';

/*
 * Expected flags come from vLLM's own documentation:
 * [engine-args] https://docs.vllm.ai/en/latest/configuration/engine_args/ (`vllm serve` usage:
 *   --max-model-len, --gpu-memory-utilization, --max-num-seqs, --dtype {auto,half,float16,bfloat16,
 *   float,float32}, --quantization, --tensor-parallel-size, --enable-prefix-caching /
 *   --no-enable-prefix-caching, --enable-chunked-prefill / --no-enable-chunked-prefill,
 *   --kv-cache-dtype {auto,fp8,fp8_e4m3,fp8_e5m2}, --max-num-batched-tokens, --enforce-eager,
 *   --speculative-config JSON, --host, --port, --served-model-name; the model is positional)
 * [quant] vllm/model_executor/layers/quantization/__init__.py, QuantizationMethods
 * [spec-decode] https://docs.vllm.ai/en/latest/features/spec_decode/ (speculative_config keys
 *   "method", "model", "num_speculative_tokens"; methods ngram, eagle, eagle3, mtp, medusa, draft model)
 * [server] https://docs.vllm.ai/en/latest/serving/openai_compatible_server/ (/health, /metrics,
 *   /v1, stream_options.include_usage); [docker] vllm/vllm-openai, ENTRYPOINT ["vllm", "serve"]
 */

const CTX = { model: '/models/llama-3.1-8b' };
const BASE = ['/models/llama-3.1-8b', '--host', '0.0.0.0', '--port', '8000'];

const ROWS: KnobRow[] = [
  { knob: 'maxModelLength', optimization: { tier1: { maxModelLength: 8192 } }, args: ['--max-model-len', '8192'], doc: 'engine-args' },
  { knob: 'gpuMemoryUtilization', optimization: { tier1: { gpuMemoryUtilization: 0.85 } }, args: ['--gpu-memory-utilization', '0.85'], doc: 'engine-args' },
  { knob: 'maxConcurrentSequences', optimization: { tier1: { maxConcurrentSequences: 64 } }, args: ['--max-num-seqs', '64'], doc: 'engine-args' },
  { knob: 'dtype bfloat16', optimization: { tier1: { dtype: 'bfloat16' } }, args: ['--dtype', 'bfloat16'], doc: 'engine-args' },
  { knob: 'dtype float16', optimization: { tier1: { dtype: 'float16' } }, args: ['--dtype', 'float16'], doc: 'engine-args' },
  { knob: 'dtype float32', optimization: { tier1: { dtype: 'float32' } }, args: ['--dtype', 'float32'], doc: 'engine-args' },
  { knob: 'dtype auto (the default: nothing)', optimization: { tier1: { dtype: 'auto' } }, args: [], doc: 'engine-args' },
  { knob: 'quantization awq', optimization: { tier1: { quantization: 'awq' } }, args: ['--quantization', 'awq'], doc: 'quant' },
  { knob: 'quantization fp8', optimization: { tier1: { quantization: 'fp8' } }, args: ['--quantization', 'fp8'], doc: 'quant' },
  { knob: 'quantization compressed-tensors', optimization: { tier1: { quantization: 'compressed-tensors' } }, args: ['--quantization', 'compressed-tensors'], doc: 'quant' },
  { knob: 'tensorParallelSize', optimization: { tier2: { tensorParallelSize: 4 } }, args: ['--tensor-parallel-size', '4'], doc: 'engine-args' },
  { knob: 'prefixCaching on', optimization: { tier2: { prefixCaching: true } }, args: ['--enable-prefix-caching'], doc: 'engine-args' },
  { knob: 'prefixCaching off', optimization: { tier2: { prefixCaching: false } }, args: ['--no-enable-prefix-caching'], doc: 'engine-args' },
  { knob: 'chunkedPrefill on', optimization: { tier2: { chunkedPrefill: true } }, args: ['--enable-chunked-prefill'], doc: 'engine-args' },
  { knob: 'chunkedPrefill off', optimization: { tier2: { chunkedPrefill: false } }, args: ['--no-enable-chunked-prefill'], doc: 'engine-args' },
  {
    knob: 'speculativeDecoding ngram',
    optimization: { tier2: { speculativeDecoding: { method: 'ngram', numSpeculativeTokens: 5 } } },
    args: ['--speculative-config', '{"method":"ngram","num_speculative_tokens":5}'],
    doc: 'spec-decode',
  },
  {
    knob: 'speculativeDecoding eagle3 with a draft model',
    optimization: { tier2: { speculativeDecoding: { method: 'eagle3', draftModel: 'yuhuili/EAGLE3-LLaMA3.1-Instruct-8B', numSpeculativeTokens: 3 } } },
    args: ['--speculative-config', '{"method":"eagle3","model":"yuhuili/EAGLE3-LLaMA3.1-Instruct-8B","num_speculative_tokens":3}'],
    doc: 'spec-decode',
  },
  {
    knob: 'speculativeDecoding mtp',
    optimization: { tier2: { speculativeDecoding: { method: 'mtp', numSpeculativeTokens: 1 } } },
    args: ['--speculative-config', '{"method":"mtp","num_speculative_tokens":1}'],
    doc: 'spec-decode',
  },
  { knob: 'kvCacheDtype', optimization: { tier2: { kvCacheDtype: 'fp8' } }, args: ['--kv-cache-dtype', 'fp8'], doc: 'engine-args' },
  { knob: 'maxBatchTokens', optimization: { tier2: { maxBatchTokens: 8192 } }, args: ['--max-num-batched-tokens', '8192'], doc: 'engine-args' },
  { knob: 'enforceEager on', optimization: { tier2: { enforceEager: true } }, args: ['--enforce-eager'], doc: 'engine-args' },
  { knob: 'enforceEager off (the default: nothing)', optimization: { tier2: { enforceEager: false } }, args: [], doc: 'engine-args' },
  {
    knob: 'every tier-1 knob at once, in a fixed order',
    optimization: { tier1: { quantization: 'awq', dtype: 'float16', maxConcurrentSequences: 8, gpuMemoryUtilization: 0.9, maxModelLength: 4096 } },
    args: ['--max-model-len', '4096', '--gpu-memory-utilization', '0.9', '--max-num-seqs', '8', '--dtype', 'float16', '--quantization', 'awq'],
    doc: 'engine-args',
  },
];

describe('vLLM adapter', () => {
  itRendersKnobTable({
    adapter: vllm,
    context: CTX,
    base: { args: BASE },
    rows: ROWS,
    refusals: [
      [{ tier1: { quantization: 'eetq' } }, 'tier1.quantization: vLLM accepts quantization aqlm, awq'],
      [{ tier2: { kvCacheDtype: 'q8_0' } }, 'tier2.kvCacheDtype: vLLM accepts KV cache dtype auto, fp8, fp8_e4m3, fp8_e5m2; "q8_0" is not one of them'],
      [{ tier2: { speculativeDecoding: { method: 'draft_model', numSpeculativeTokens: 4 } } }, 'vLLM needs speculativeDecoding.draftModel for the draft_model method'],
      [{ tier2: { speculativeDecoding: { method: 'ngram', draftModel: 'x/y', numSpeculativeTokens: 4 } } }, "vLLM's ngram method takes no draft model"],
    ],
  });

  it('passes the model as the positional argument and binds the given port and host [engine-args]', () => {
    expect(vllm.render({}, { model: 'meta-llama/Llama-3.1-8B-Instruct', port: 9000, host: '127.0.0.1', servedModelName: 'llama' }).args).toEqual([
      'meta-llama/Llama-3.1-8B-Instruct',
      '--host',
      '127.0.0.1',
      '--port',
      '9000',
      '--served-model-name',
      'llama',
    ]);
  });

  it('warns about knobs vLLM does not have and renders nothing for them', () => {
    const out = vllm.render({ tier2: { gpuLayers: 'all', keepAlive: '5m' } }, CTX);
    expect(out.args).toEqual(BASE);
    expect(out.warnings.map((warning) => warning.path)).toEqual(['/tier2/gpuLayers', '/tier2/keepAlive']);
  });

  it('declares the endpoints and image of the vllm/vllm-openai server [server] [docker]', () => {
    expect(vllm.describe()).toMatchObject({
      image: { repository: 'vllm/vllm-openai' },
      command: { host: ['vllm', 'serve'], container: null },
      port: 8000,
      healthPath: '/health',
      metricsPath: '/metrics',
      openaiBasePath: '/v1',
      supportsIncludeUsage: true,
      workloads: ['generate', 'embed'],
    });
  });
});
