import { describe, expect, it } from 'vitest';
import { vllmLikeRuntime } from '../../../test/support/container-runtime.js';
import { renderWorkloadSpec } from '../../domain/workload.js';
import { containerProgram, mirrorImage, type RuntimeImages } from './workload-image.js';
import { renderDeployment, renderService, type ManifestContext } from './workload-manifests.js';
import { podScheduling } from './workload-scheduling.js';

const runtime = vllmLikeRuntime({ env: { GREETING: 'a $dollar' }, apiKeyEnv: 'VLLM_API_KEY' });
const images: RuntimeImages = {
  vllm: { image: 'vllm/vllm-openai:v0.11.0', hostCommand: ['vllm', 'serve'], containerCommand: null },
  ollama: { image: 'ollama/ollama:0.12.6', hostCommand: ['ollama', 'serve'], containerCommand: ['/bin/ollama', 'serve'] },
};
const spec = renderWorkloadSpec({
  deployment: { id: '0b7c4a52-5d0e-4a36-9a2e-1f6f7c1a9d11', name: 'chat', replicas: 2 },
  model: { name: 'm', localPath: '/models/m' },
  runtime,
  resourceProfile: { gpuCount: 2, cpu: '8', memory: '64Gi' },
  progressDeadlineSeconds: 900,
}).spec;
const context: ManifestContext = {
  namespace: 'hmas',
  cluster: { name: 'gpu-a' },
  images,
  settings: {},
  scheduling: podScheduling({ scheduler: 'default', type: 'HP' }),
  secretEnv: [{ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'chat-secrets', key: 'hf', optional: false } } }],
  tokenSecret: 'chat-token',
};

type Deployment = { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { replicas: number; strategy: unknown; progressDeadlineSeconds: number; selector: unknown; template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: Record<string, unknown> & { containers: Array<Record<string, unknown>> } } } };

describe('renderDeployment', () => {
  const deployment = renderDeployment(spec, context) as unknown as Deployment;
  const container = deployment.spec.template.spec.containers[0] as Record<string, unknown> & { env: Array<{ name: string; value?: string }> };

  it('labels, annotates and selects by the workload name, with the whole spec kept for list and adoption', () => {
    expect(deployment.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'chat',
      'app.kubernetes.io/instance': 'chat',
      'app.kubernetes.io/component': 'inference',
      'app.kubernetes.io/managed-by': 'hmas',
      'hmas.io/deployment': spec.deploymentId,
      'hmas.io/cluster': 'gpu-a',
      'hmas.io/runtime': 'vllm',
    });
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'chat', 'app.kubernetes.io/managed-by': 'hmas' } });
    expect(JSON.parse(deployment.metadata.annotations['hmas.io/spec'] ?? '')).toEqual(spec);
    expect(deployment.spec.template.metadata.annotations).toMatchObject({ 'hmas.io/spec-hash': spec.specHash, 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8000', 'prometheus.io/path': '/metrics' });
  });

  it('runs the image entrypoint with the rendered args; host and port defined first for $(VAR) expansion', () => {
    expect(container).toMatchObject({ name: 'runtime', image: 'vllm/vllm-openai:v0.11.0', args: ['/models/m', '--host', '$(HMAS_RUNTIME_HOST)', '--port', '$(HMAS_RUNTIME_PORT)'] });
    expect(container.command).toBeUndefined();
    expect(container.env.slice(0, 2)).toEqual([
      { name: 'HMAS_RUNTIME_HOST', value: '0.0.0.0' },
      { name: 'HMAS_RUNTIME_PORT', value: '8000' },
    ]);
    expect(container.env).toContainEqual({ name: 'GREETING', value: 'a $$dollar' });
    expect(container.env).toContainEqual(context.secretEnv[0]);
    expect(container.env).toContainEqual({ name: 'VLLM_API_KEY', valueFrom: { secretKeyRef: { name: 'chat-token', key: 'token', optional: false } } });
    expect(JSON.stringify(deployment)).not.toMatch(/"value":"[A-Za-z0-9_-]{40,}"/);
  });

  it('asks for the resource profile, GPUs as nvidia.com/gpu limits, probes the health path, rolls one at a time', () => {
    expect(container.resources).toEqual({ requests: { cpu: '8', memory: '64Gi' }, limits: { cpu: '8', memory: '64Gi', 'nvidia.com/gpu': '2' } });
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/health', port: 'http' } });
    expect(deployment.spec).toMatchObject({ replicas: 2, progressDeadlineSeconds: 900, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
    expect(deployment.spec.template.spec).toMatchObject({ dnsPolicy: 'Default', automountServiceAccountToken: false });
    expect(deployment.spec.template.spec.schedulerName).toBeUndefined();
  });

  it('uses Koordinator on a Koordinator cluster: HP latency-sensitive and prod, GP best-effort and batch', () => {
    for (const [type, qos, priority] of [['HP', 'LS', 'koord-prod'], ['GP', 'BE', 'koord-batch']] as const) {
      const rendered = renderDeployment(spec, { ...context, scheduling: podScheduling({ scheduler: 'koordinator', type }) }) as unknown as Deployment;
      expect(rendered.spec.template.spec).toMatchObject({ schedulerName: 'koord-scheduler', priorityClassName: priority });
      expect(rendered.spec.template.metadata.labels['koordinator.sh/qosClass']).toBe(qos);
    }
  });

  it('mounts host paths and the model volume, with the pull secret and policy of the cluster', () => {
    const rendered = renderDeployment(spec, {
      ...context,
      settings: { imagePullSecret: 'regcred', imagePullPolicy: 'IfNotPresent', hostPathMounts: [{ hostPath: '/data/cache', mountPath: '/cache', readOnly: false }], modelVolume: { type: 'persistentVolumeClaim', claimName: 'models', mountPath: '/models' } },
    }) as unknown as Deployment;
    expect(rendered.spec.template.spec).toMatchObject({
      imagePullSecrets: [{ name: 'regcred' }],
      volumes: [
        { name: 'host-0', hostPath: { path: '/data/cache', type: 'Directory' } },
        { name: 'models', persistentVolumeClaim: { claimName: 'models', readOnly: true } },
      ],
    });
    expect(rendered.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', volumeMounts: [{ name: 'host-0', mountPath: '/cache', readOnly: false }, { name: 'models', mountPath: '/models', readOnly: true }] });
  });

  it('is a Recreate Deployment when the spec says so', () => {
    expect((renderDeployment({ ...spec, strategy: 'Recreate' }, context) as unknown as Deployment).spec.strategy).toEqual({ type: 'Recreate' });
  });
});

describe('renderService', () => {
  it('is a NodePort Service by default and ClusterIP when H-MAS runs in the cluster', () => {
    expect(renderService(spec, context)).toMatchObject({ kind: 'Service', spec: { type: 'NodePort', ports: [{ name: 'http', port: 8000, targetPort: 'http' }], selector: { 'app.kubernetes.io/instance': 'chat' } } });
    expect(renderService(spec, { ...context, settings: { inCluster: true } })).toMatchObject({ spec: { type: 'ClusterIP' } });
  });
});

describe('images', () => {
  it("runs the runtime's official image, the cluster's override, or H-MAS's own for the embedded runtime", () => {
    expect(containerProgram({ runtime: 'ollama', command: { type: 'binary', binary: 'ollama', args: ['serve'] } }, images)).toEqual({ image: 'ollama/ollama:0.12.6', command: ['/bin/ollama', 'serve'], args: [] });
    expect(containerProgram({ runtime: 'vllm', command: { type: 'binary', binary: 'vllm', args: ['serve', 'm'] } }, images, { images: { vllm: 'my/vllm:1' } })).toEqual({ image: 'my/vllm:1', args: ['m'] });
    expect(containerProgram({ runtime: 'vllm', command: { type: 'binary', binary: '/opt/vllm', args: ['x'] } }, images)).toEqual({ image: 'vllm/vllm-openai:v0.11.0', command: ['/opt/vllm'], args: ['x'] });
    expect(containerProgram({ runtime: 'embedded-llamacpp', command: { type: 'self', args: ['runtime', 'llama'] } }, images, { selfImage: 'reg.local/hmas:1' })).toEqual({
      image: 'reg.local/hmas:1',
      command: ['node', '/app/dist/main/cli.js'],
      args: ['runtime', 'llama'],
    });
    expect(() => containerProgram({ runtime: 'tgi', command: { type: 'binary', binary: 'text-generation-launcher', args: [] } }, images)).toThrow(/workloads\.images\.tgi/);
  });

  it('pulls through a registry mirror: the registry host is replaced, Docker Hub names get library/', () => {
    expect(mirrorImage('vllm/vllm-openai:v0.11.0', 'mirror.local:5000')).toBe('mirror.local:5000/vllm/vllm-openai:v0.11.0');
    expect(mirrorImage('ghcr.io/huggingface/text-generation-inference:3.3.4', 'mirror.local/proxy')).toBe('mirror.local/proxy/huggingface/text-generation-inference:3.3.4');
    expect(mirrorImage('busybox:1.36', 'mirror.local')).toBe('mirror.local/library/busybox:1.36');
    expect(mirrorImage('localhost:5000/x:1', undefined)).toBe('localhost:5000/x:1');
  });
});
