import { describe, expect, it } from 'vitest';
import { RUNTIMES } from '../runtimes/index.js';
import {
  canonicalJson,
  escapeWorkloadTemplate,
  expandWorkloadTemplate,
  renderWorkloadSpec,
  summarizeWorkload,
  workloadSpecHash,
  workloadSpecSchema,
  type ReplicaStatus,
  type WorkloadRenderInput,
} from './workload.js';

const DEPLOYMENT_ID = '4f7f6a3e-2f7e-4a53-9a47-5b8e8c0e9d11';

function input(overrides: Partial<WorkloadRenderInput> = {}): WorkloadRenderInput {
  return {
    deployment: { id: DEPLOYMENT_ID, name: 'chat', replicas: 2 },
    model: { name: 'qwen2.5-7b', localPath: '/models/qwen2.5-7b', hfRepoId: null },
    runtime: RUNTIMES.vllm,
    resourceProfile: { gpuCount: 1, gpuType: 'NVIDIA-H100-80GB-HBM3', cpu: '8', memory: '32Gi' },
    optimization: { tier1: { maxModelLength: 8192 } },
    ...overrides,
  };
}

const address = { HMAS_RUNTIME_HOST: '127.0.0.1', HMAS_RUNTIME_PORT: '41234' };

describe('renderWorkloadSpec', () => {
  it('renders a vLLM workload: program, argv with the address as $(VAR), resources, labels and scrape annotations', () => {
    const { spec, warnings } = renderWorkloadSpec(input());
    expect(warnings).toEqual([]);
    expect(spec).toEqual({
      name: 'chat',
      deploymentId: DEPLOYMENT_ID,
      runtime: 'vllm',
      command: {
        type: 'binary',
        binary: 'vllm',
        args: ['serve', '/models/qwen2.5-7b', '--host', '$(HMAS_RUNTIME_HOST)', '--port', '$(HMAS_RUNTIME_PORT)', '--served-model-name', 'chat', '--max-model-len', '8192'],
      },
      env: {},
      port: 8000,
      healthPath: '/health',
      metricsPath: '/metrics',
      openaiBasePath: '/v1',
      servedModelName: 'chat',
      apiKeyEnv: 'VLLM_API_KEY',
      replicas: 2,
      resources: { gpuCount: 1, gpuType: 'NVIDIA-H100-80GB-HBM3', cpu: '8', memory: '32Gi' },
      labels: {
        'app.kubernetes.io/name': 'chat',
        'app.kubernetes.io/component': 'inference',
        'app.kubernetes.io/managed-by': 'hmas',
        'hmas.io/deployment': 'chat',
        'hmas.io/runtime': 'vllm',
      },
      annotations: {
        'hmas.io/deployment': 'chat',
        'hmas.io/deployment-id': DEPLOYMENT_ID,
        'hmas.io/model': 'qwen2.5-7b',
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '8000',
        'prometheus.io/path': '/metrics',
      },
      model: { name: 'qwen2.5-7b', path: '/models/qwen2.5-7b' },
      strategy: 'RollingUpdate',
      progressDeadlineSeconds: 600,
      specHash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(workloadSpecSchema.parse(spec)).toEqual(spec);
  });

  it('expands to the replica’s own address on a host and to the container port on Kubernetes', () => {
    const { spec } = renderWorkloadSpec(input({ runtime: RUNTIMES.llamacpp, optimization: {} }));
    expect(spec.command.args.map((arg) => expandWorkloadTemplate(arg, address))).toEqual(['--model', '/models/qwen2.5-7b', '--host', '127.0.0.1', '--port', '41234', '--metrics', '--alias', 'chat']);
    expect(spec.command.args.map((arg) => expandWorkloadTemplate(arg, { HMAS_RUNTIME_HOST: '0.0.0.0', HMAS_RUNTIME_PORT: String(spec.port) }))).toContain('8080');
  });

  it('templates an address inside an environment value (Ollama’s OLLAMA_HOST)', () => {
    const { spec } = renderWorkloadSpec(input({ runtime: RUNTIMES.ollama, optimization: { tier1: { maxConcurrentSequences: 4 } } }));
    expect(spec.command).toEqual({ type: 'binary', binary: 'ollama', args: ['serve'] });
    expect(spec.env).toEqual({ OLLAMA_HOST: '$(HMAS_RUNTIME_HOST):$(HMAS_RUNTIME_PORT)', OLLAMA_NUM_PARALLEL: '4' });
    expect(expandWorkloadTemplate(spec.env.OLLAMA_HOST ?? '', address)).toBe('127.0.0.1:41234');
    expect(spec.annotations).toMatchObject({ 'prometheus.io/scrape': 'false' });
    expect(spec.annotations).not.toHaveProperty('prometheus.io/path');
  });

  it('renders the embedded runtime as H-MAS itself (`hmas runtime llama …`)', () => {
    const { spec, warnings } = renderWorkloadSpec(input({ runtime: RUNTIMES['embedded-llamacpp'], model: { name: 'tiny', localPath: '/data/tiny.gguf' }, optimization: { tier2: { threads: 1 } } }));
    expect(spec.command).toEqual({ type: 'self', args: ['runtime', 'llama', '--model', '/data/tiny.gguf', '--host', '$(HMAS_RUNTIME_HOST)', '--port', '$(HMAS_RUNTIME_PORT)', '--alias', 'chat', '--threads', '1'] });
    expect(warnings).toEqual([]);
  });

  it('keeps user text literal: a $ in raw arguments is escaped, and expands back to itself', () => {
    const extraArgs = ['--chat-template', '$(HMAS_RUNTIME_PORT) costs $$5', '$'];
    const { spec } = renderWorkloadSpec(input({ optimization: { raw: { extraArgs, extraEnv: { NOTE: '$(HOME)' } } } }));
    expect(spec.command.args.slice(-3)).toEqual(['--chat-template', '$$(HMAS_RUNTIME_PORT) costs $$$$5', '$$']);
    expect(spec.command.args.slice(-3).map((arg) => expandWorkloadTemplate(arg, address))).toEqual(extraArgs);
    expect(expandWorkloadTemplate(spec.env.NOTE ?? '', { HOME: '/root' })).toBe('$(HOME)');
  });

  it('uses a Hugging Face repo when there is no path, and a downloaded path over the registered one', () => {
    const fromHub = renderWorkloadSpec(input({ model: { name: 'qwen', localPath: null, hfRepoId: 'Qwen/Qwen2.5-7B-Instruct', revision: 'main', hfFile: null } })).spec;
    expect(fromHub.model).toEqual({ name: 'qwen', repo: 'Qwen/Qwen2.5-7B-Instruct', revision: 'main', file: null });
    expect(fromHub.command.args[1]).toBe('Qwen/Qwen2.5-7B-Instruct');
    const downloaded = renderWorkloadSpec(input({ modelPath: '/data/models/qwen', model: { name: 'qwen', hfRepoId: 'Qwen/Qwen2.5-7B-Instruct' } })).spec;
    expect(downloaded.model).toEqual({ name: 'qwen', path: '/data/models/qwen' });
    expect(() => renderWorkloadSpec(input({ model: { name: 'nothing' } }))).toThrow('neither a local path nor a Hugging Face repo');
  });

  it('applies defaults: resources without a profile, RollingUpdate, a 600 s progress deadline; and takes the given ones', () => {
    expect(renderWorkloadSpec(input({ resourceProfile: null })).spec).toMatchObject({ resources: { gpuCount: 0, cpu: '1', memory: '1Gi' }, strategy: 'RollingUpdate', progressDeadlineSeconds: 600 });
    expect(renderWorkloadSpec(input({ strategy: 'Recreate', progressDeadlineSeconds: 180, servedModelName: 'qwen' })).spec).toMatchObject({
      strategy: 'Recreate',
      progressDeadlineSeconds: 180,
      servedModelName: 'qwen',
    });
  });

  it('passes the adapter’s refusals and warnings on', () => {
    expect(() => renderWorkloadSpec(input({ optimization: { tier1: { gpuMemoryUtilization: 1.5 } } }))).toThrow(/gpuMemoryUtilization/);
    const { warnings } = renderWorkloadSpec(input({ runtime: RUNTIMES.tei, optimization: { tier2: { tensorParallelSize: 2 } } }));
    expect(warnings.map((warning) => warning.path)).toEqual(['/tier2/tensorParallelSize']);
  });
});

describe('spec hash', () => {
  it('is the same for the same input, whatever the replica count', () => {
    const a = renderWorkloadSpec(input()).spec;
    const b = renderWorkloadSpec(input({ deployment: { id: DEPLOYMENT_ID, name: 'chat', replicas: 7 } })).spec;
    expect(b.specHash).toBe(a.specHash);
    expect(workloadSpecHash(a)).toBe(a.specHash);
  });

  it('changes with what runs: the optimization, the resource profile, the runtime, the model', () => {
    const base = renderWorkloadSpec(input()).spec.specHash;
    const others = [
      input({ optimization: { tier1: { maxModelLength: 4096 } } }),
      input({ resourceProfile: { gpuCount: 2, cpu: '8', memory: '32Gi' } }),
      input({ runtime: RUNTIMES.tgi }),
      input({ model: { name: 'qwen2.5-7b', localPath: '/models/other' } }),
    ].map((changed) => renderWorkloadSpec(changed).spec.specHash);
    expect(new Set([base, ...others]).size).toBe(5);
  });

  it('stays the same when only the rollout settings change (strategy, progress deadline)', () => {
    const base = renderWorkloadSpec(input()).spec.specHash;
    expect(renderWorkloadSpec(input({ strategy: 'Recreate', progressDeadlineSeconds: 90 })).spec.specHash).toBe(base);
  });

  it('does not depend on the order of object keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
  });
});

describe('workload templates', () => {
  it('expands defined variables as Kubernetes does and leaves the rest as written', () => {
    const vars = { A: 'x', EMPTY: '' };
    expect(expandWorkloadTemplate('$(A)-$(EMPTY)-$(B)', vars)).toBe('x--$(B)');
    expect(expandWorkloadTemplate('$$(A) $$ $ $x $(A', vars)).toBe('$(A) $ $ $x $(A');
    expect(expandWorkloadTemplate('end$', vars)).toBe('end$');
  });

  it('escapes any text so that expansion gives it back', () => {
    for (const text of ['$(A)', '$$', 'a$b', '$', '$$(A)$']) expect(expandWorkloadTemplate(escapeWorkloadTemplate(text), { A: 'x' })).toBe(text);
  });
});

function replica(overrides: Partial<ReplicaStatus>): ReplicaStatus {
  return {
    id: 'chat-abc123-0',
    index: 0,
    specHash: 'h1',
    state: 'ready',
    ready: true,
    pid: 100,
    port: 40000,
    gpus: null,
    restarts: 0,
    lastExitCode: null,
    lastSignal: null,
    lastTerminationReason: null,
    reason: null,
    message: null,
    startedAt: null,
    readyAt: null,
    ...overrides,
  };
}

describe('summarizeWorkload', () => {
  it('is Available when every desired replica of the current spec is ready', () => {
    expect(summarizeWorkload(2, 'h1', [replica({}), replica({ id: 'r1', index: 1 })])).toEqual({
      phase: 'Available',
      reason: null,
      message: null,
      replicas: { desired: 2, current: 2, ready: 2, available: 2, updated: 2 },
    });
  });

  it('is Progressing while replicas start or an old spec still runs', () => {
    expect(summarizeWorkload(1, 'h1', [replica({ state: 'starting', ready: false })]).phase).toBe('Progressing');
    const rolling = summarizeWorkload(1, 'h2', [replica({}), replica({ id: 'new', specHash: 'h2', state: 'starting', ready: false })]);
    expect(rolling).toMatchObject({ phase: 'Progressing', replicas: { desired: 1, current: 2, ready: 1, available: 1, updated: 1 } });
  });

  it('is Failed with the failing replica’s reason when nothing serves, Degraded when something does', () => {
    const crashing = replica({ id: 'chat-abc123-1', index: 1, state: 'crashloop', ready: false, reason: 'CrashLoopBackOff', message: 'Back-off 4s restarting failed replica' });
    expect(summarizeWorkload(1, 'h1', [crashing])).toMatchObject({ phase: 'Failed', reason: 'CrashLoopBackOff', message: 'chat-abc123-1: Back-off 4s restarting failed replica' });
    expect(summarizeWorkload(2, 'h1', [replica({}), crashing])).toMatchObject({ phase: 'Degraded', reason: 'CrashLoopBackOff' });
  });

  it('names OOMKilled over CrashLoopBackOff when out-of-memory kills caused the loop, and BinaryNotFound over both', () => {
    const oomLoop = replica({ state: 'crashloop', ready: false, reason: 'CrashLoopBackOff', lastTerminationReason: 'OOMKilled', message: 'killed' });
    expect(summarizeWorkload(1, 'h1', [oomLoop]).reason).toBe('OOMKilled');
    const missing = replica({ id: 'b', index: 1, state: 'failed', ready: false, pid: null, reason: 'BinaryNotFound', message: 'vllm was not found' });
    expect(summarizeWorkload(2, 'h1', [oomLoop, missing]).reason).toBe('BinaryNotFound');
  });

  it('reports the reason of a replica restarting after an OOM kill while it is still Progressing', () => {
    expect(summarizeWorkload(1, 'h1', [replica({ state: 'restarting', ready: false, reason: 'OOMKilled', message: 'killed' })])).toMatchObject({ phase: 'Progressing', reason: 'OOMKilled' });
  });

  it('is Stopped at zero replicas once nothing runs, Progressing while replicas still stop', () => {
    expect(summarizeWorkload(0, 'h1', [])).toMatchObject({ phase: 'Stopped', reason: null, replicas: { desired: 0, current: 0, ready: 0, available: 0, updated: 0 } });
    expect(summarizeWorkload(0, 'h1', [replica({ state: 'stopping', ready: false })]).phase).toBe('Progressing');
  });
});
