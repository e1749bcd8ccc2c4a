import { describe, expect, it } from 'vitest';
import { RUNTIMES } from '../runtimes/index.js';
import { renderWorkloadSpec, type WorkloadRenderInput } from './workload.js';

function input(extraEnv?: Record<string, string | { secretRef: string }>): WorkloadRenderInput {
  return {
    deployment: { id: '4f7f6a3e-2f7e-4a53-9a47-5b8e8c0e9d11', name: 'chat', replicas: 1 },
    model: { name: 'qwen', localPath: '/models/qwen', hfRepoId: null },
    runtime: RUNTIMES.vllm,
    optimization: extraEnv ? { raw: { extraEnv } } : {},
  };
}

describe('renderWorkloadSpec with secret references', () => {
  it('puts referenced variables in secretEnv by secret name, never in env or argv', () => {
    const { spec } = renderWorkloadSpec(input({ HF_TOKEN: { secretRef: 'hf-token' }, OMP_NUM_THREADS: '4' }));
    expect(spec.secretEnv).toEqual({ HF_TOKEN: 'hf-token' });
    expect(spec.env).toEqual({ OMP_NUM_THREADS: '4' });
    expect(JSON.stringify(spec.command)).not.toContain('HF_TOKEN');
  });

  it('leaves secretEnv out, and the hash as it was, when nothing refers to a secret', () => {
    const plain = renderWorkloadSpec(input({ OMP_NUM_THREADS: '4' })).spec;
    expect('secretEnv' in plain).toBe(false);
    const withRef = renderWorkloadSpec(input({ OMP_NUM_THREADS: '4', HF_TOKEN: { secretRef: 'hf-token' } })).spec;
    expect(withRef.specHash).not.toBe(plain.specHash);
  });

  it('hashes the secret names only: another secret restarts replicas, the same one does not', () => {
    const a = renderWorkloadSpec(input({ HF_TOKEN: { secretRef: 'hf-token' } })).spec.specHash;
    expect(renderWorkloadSpec(input({ HF_TOKEN: { secretRef: 'hf-token' } })).spec.specHash).toBe(a);
    expect(renderWorkloadSpec(input({ HF_TOKEN: { secretRef: 'hf-token-2' } })).spec.specHash).not.toBe(a);
  });

  it('lets a reference replace a rendered variable, with the usual warning', () => {
    const { spec, warnings } = renderWorkloadSpec({ ...input(), runtime: RUNTIMES.ollama, optimization: { tier1: { maxConcurrentSequences: 2 }, raw: { extraEnv: { OLLAMA_NUM_PARALLEL: { secretRef: 'n' } } } } });
    expect(spec.env.OLLAMA_NUM_PARALLEL).toBeUndefined();
    expect(spec.secretEnv).toEqual({ OLLAMA_NUM_PARALLEL: 'n' });
    expect(warnings.map((warning) => warning.path)).toContain('/raw/extraEnv/OLLAMA_NUM_PARALLEL');
  });
});
