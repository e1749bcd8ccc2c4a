import { describe, expect, it } from 'vitest';
import { KNOB_KEYS, knobValue, type Optimization } from '../domain/optimization.js';
import { embeddedLlamacpp } from './embedded-llamacpp.js';

/*
 * The embedded runtime is H-MAS's own; its command line is specified in src/runtimes/README.md:
 * [embedded] `hmas runtime llama --model FILE.gguf --port N [--threads T] [--ctx N] [--parallel N]`,
 * serving llama-server's endpoints (/health, /metrics with llama.cpp metric names, /v1).
 */

const CTX = { model: '/var/lib/hmas/models/phi-3-mini-q4.gguf' };
const BASE = ['--model', '/var/lib/hmas/models/phi-3-mini-q4.gguf', '--host', '0.0.0.0', '--port', '8080'];

const ROWS: Array<{ knob: string; optimization: Optimization; args: string[] }> = [
  { knob: 'maxModelLength', optimization: { tier1: { maxModelLength: 4096 } }, args: ['--ctx', '4096'] },
  { knob: 'maxConcurrentSequences', optimization: { tier1: { maxConcurrentSequences: 2 } }, args: ['--parallel', '2'] },
  { knob: 'threads', optimization: { tier2: { threads: 8 } }, args: ['--threads', '8'] },
  {
    knob: 'all three, in a fixed order',
    optimization: { tier2: { threads: 4 }, tier1: { maxConcurrentSequences: 2, maxModelLength: 2048 } },
    args: ['--ctx', '2048', '--parallel', '2', '--threads', '4'],
  },
];

const knobsIn = (optimization: Optimization) => KNOB_KEYS.filter((key) => knobValue(optimization, key) !== undefined);

describe('embedded llama.cpp adapter', () => {
  it.each(ROWS)('renders $knob as $args [embedded]', ({ optimization, args }) => {
    expect(embeddedLlamacpp.render(optimization, CTX)).toEqual({ args: [...BASE, ...args], env: {}, warnings: [] });
  });

  it('has a table row for every knob it maps', () => {
    expect(new Set(ROWS.flatMap((row) => knobsIn(row.optimization)))).toEqual(new Set(Object.keys(embeddedLlamacpp.knobs)));
  });

  it('warns about every other knob', () => {
    const out = embeddedLlamacpp.render({ tier2: { flashAttention: true, gpuLayers: 'all' } }, CTX);
    expect(out.args).toEqual(BASE);
    expect(out.warnings.map((warning) => warning.path)).toEqual(['/tier2/gpuLayers', '/tier2/flashAttention']);
  });

  it('runs on the host as `hmas runtime llama`, with no image, and llama-server endpoints [embedded]', () => {
    expect(embeddedLlamacpp.describe()).toMatchObject({
      image: null,
      command: { host: ['hmas', 'runtime', 'llama'], container: null },
      healthPath: '/health',
      metricsPath: '/metrics',
      openaiBasePath: '/v1',
      supportsIncludeUsage: true,
      supportedFormats: ['gguf'],
    });
  });
});
