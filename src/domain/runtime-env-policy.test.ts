import { describe, expect, it } from 'vitest';
import { checkHostRuntimeEnv, describeEnvIssues, envPatternMatches, type EnvCheckRuntime } from './runtime-env-policy.js';

const vllmLike: EnvCheckRuntime = {
  displayName: 'vLLM',
  env: { variables: ['VLLM_*'], reserved: ['VLLM_PORT'], docs: ['https://docs.vllm.ai/en/stable/configuration/env_vars.html'] },
};
const refusals = (names: string[], runtime: EnvCheckRuntime = vllmLike) => Object.fromEntries(checkHostRuntimeEnv(names, runtime).map((issue) => [issue.name, issue.refusal]));

describe('runtime environment policy on the local host', () => {
  it('matches exact names and PREFIX* families', () => {
    expect(envPatternMatches('LD_*', 'LD_PRELOAD')).toBe(true);
    expect(envPatternMatches('PATH', 'PATHS')).toBe(false);
    expect(envPatternMatches('ENV', 'ENV')).toBe(true);
  });

  it.each([
    'NODE_OPTIONS',
    'NODE_PATH',
    'LD_PRELOAD',
    'LD_LIBRARY_PATH',
    'LD_AUDIT',
    'DYLD_INSERT_LIBRARIES',
    'GLIBC_TUNABLES',
    'GCONV_PATH',
    'PYTHONPATH',
    'PYTHONSTARTUP',
    'PYTHONHOME',
    'PYTHONWARNINGS',
    'PYTHONBREAKPOINT',
    'BASH_ENV',
    'ENV',
    'PERL5OPT',
    'PERL5LIB',
    'RUBYOPT',
    'JAVA_TOOL_OPTIONS',
    '_JAVA_OPTIONS',
    'OPENSSL_CONF',
    'GIT_SSH_COMMAND',
  ])('refuses the loader or interpreter hook %s, naming it', (name) => {
    const issues = checkHostRuntimeEnv([name], vllmLike);
    expect(issues).toEqual([expect.objectContaining({ name, refusal: 'hook', path: `/raw/extraEnv/${name}` })]);
    expect(issues[0]?.message).toContain(name);
  });

  it('refuses hooks inside an allowed family or a documented one', () => {
    expect(refusals(['CUDA_INJECTION64_PATH', 'NCCL_NET_PLUGIN', 'OMP_TOOL_LIBRARIES', 'NCCL_CONF_FILE'])).toEqual({
      CUDA_INJECTION64_PATH: 'hook',
      NCCL_NET_PLUGIN: 'hook',
      OMP_TOOL_LIBRARIES: 'hook',
      NCCL_CONF_FILE: 'hook',
    });
    expect(refusals(['ENV'], { displayName: 'TGI', env: { variables: ['ENV'], docs: ['x'] } })).toEqual({ ENV: 'hook' });
  });

  it('refuses what H-MAS sets for the replica: PATH, HOME, GPU pinning, its own settings, the listen address', () => {
    expect(refusals(['PATH', 'HOME', 'CUDA_VISIBLE_DEVICES', 'CUDA_DEVICE_ORDER', 'HMAS_HOST', 'VLLM_PORT'])).toEqual({
      PATH: 'reserved',
      HOME: 'reserved',
      CUDA_VISIBLE_DEVICES: 'reserved',
      CUDA_DEVICE_ORDER: 'reserved',
      HMAS_HOST: 'reserved',
      VLLM_PORT: 'reserved',
    });
  });

  it("allows the runtime's documented variables and the safe families", () => {
    expect(checkHostRuntimeEnv(['VLLM_LOGGING_LEVEL', 'CUDA_LAUNCH_BLOCKING', 'NCCL_DEBUG', 'HF_HUB_OFFLINE', 'OMP_NUM_THREADS', 'PYTORCH_CUDA_ALLOC_CONF'], vllmLike)).toEqual([]);
  });

  it('refuses a variable the runtime does not document, pointing at its documentation', () => {
    const [issue] = checkHostRuntimeEnv(['OLLAMA_DEBUG'], vllmLike);
    expect(issue).toMatchObject({ name: 'OLLAMA_DEBUG', refusal: 'undocumented' });
    expect(issue?.message).toContain('https://docs.vllm.ai/en/stable/configuration/env_vars.html');
  });

  it('without the runtime’s list (the driver on its own) refuses only hooks and reserved names', () => {
    expect(refusals(['ANYTHING', 'NODE_OPTIONS', 'PATH'], { displayName: 'llamacpp', env: null })).toEqual({ NODE_OPTIONS: 'hook', PATH: 'reserved' });
  });

  it('sums up several refusals in one sentence', () => {
    const text = describeEnvIssues(checkHostRuntimeEnv(['NODE_OPTIONS', 'LD_PRELOAD', 'PATH', 'BASH_ENV', 'ENV'], vllmLike));
    expect(text).toMatch(/^NODE_OPTIONS is not allowed.*LD_PRELOAD.*PATH.*; and 2 more\.$/);
  });
});
