import { describe, expect, it } from 'vitest';
import { DEFAULT_WARMER_PAUSE_IMAGE, GPU_NODE_AFFINITY, IMAGE_WARMER_HASH_ANNOTATION, IMAGE_WARMER_NAME, normalizeWarmerImages, renderImageWarmer } from './image-warmer-manifest.js';

const input = { cluster: 'gpu-east', namespace: 'llm', images: ['vllm/vllm-openai:v0.11.0', 'ghcr.io/ggml-org/llama.cpp:server-cuda'] };

describe('renderImageWarmer', () => {
  it('renders one DaemonSet in the cluster namespace with an init container per image, in sorted order, then a pause container', () => {
    const { daemonSet } = renderImageWarmer(input);
    expect(daemonSet.apiVersion).toBe('apps/v1');
    expect(daemonSet.kind).toBe('DaemonSet');
    expect(daemonSet.metadata).toMatchObject({ name: IMAGE_WARMER_NAME, namespace: 'llm' });
    const pod = daemonSet.spec.template.spec;
    expect(pod.initContainers.map((c) => [c.name, c.image, c.command])).toEqual([
      ['pull-1', 'ghcr.io/ggml-org/llama.cpp:server-cuda', ['/bin/sh', '-c', 'true']],
      ['pull-2', 'vllm/vllm-openai:v0.11.0', ['/bin/sh', '-c', 'true']],
    ]);
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0]).toMatchObject({ name: 'pause', image: DEFAULT_WARMER_PAUSE_IMAGE });
    expect(pod.containers[0]?.command).toBeUndefined();
    expect([...pod.initContainers, ...pod.containers].every((c) => c.imagePullPolicy === 'IfNotPresent')).toBe(true);
  });

  it('gives every container requests of 4Mi memory and limits of 32Mi memory and 10m CPU', () => {
    const pod = renderImageWarmer(input).daemonSet.spec.template.spec;
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.resources).toEqual({ requests: { memory: '4Mi' }, limits: { memory: '32Mi', cpu: '10m' } });
    }
  });

  it('runs on GPU nodes by label and tolerates the nvidia.com/gpu taint', () => {
    const pod = renderImageWarmer(input).daemonSet.spec.template.spec;
    expect(pod.affinity.nodeAffinity).toEqual(GPU_NODE_AFFINITY);
    const terms = pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms).toContainEqual({ matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }] });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists' }]);
  });

  it('takes another node affinity, pause image and pull secrets when given', () => {
    const nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: ['node-1'] }] }] } };
    const pod = renderImageWarmer({ ...input, nodeAffinity, pauseImage: 'mirror.local/pause:3.10', imagePullSecrets: ['regcred', 'regcred'] }).daemonSet.spec.template.spec;
    expect(pod.affinity.nodeAffinity).toEqual(nodeAffinity);
    expect(pod.containers[0]?.image).toBe('mirror.local/pause:3.10');
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(renderImageWarmer(input).daemonSet.spec.template.spec.imagePullSecrets).toBeUndefined();
  });

  it('labels like the driver, selects on constant labels only, and asks nothing of the pod it does not need', () => {
    const { daemonSet } = renderImageWarmer(input);
    expect(daemonSet.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'hmas', 'app.kubernetes.io/name': IMAGE_WARMER_NAME, 'hmas.io/cluster': 'gpu-east' });
    expect(daemonSet.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': IMAGE_WARMER_NAME, 'app.kubernetes.io/managed-by': 'hmas' });
    expect(daemonSet.spec.template.metadata.labels).toEqual(daemonSet.metadata.labels);
    const pod = daemonSet.spec.template.spec;
    expect(pod).toMatchObject({ automountServiceAccountToken: false, securityContext: { runAsNonRoot: true } });
  });

  it('hashes what runs: the same set in any order gives the same hash, another set or node choice another', () => {
    const first = renderImageWarmer(input);
    expect(first.daemonSet.metadata.annotations[IMAGE_WARMER_HASH_ANNOTATION]).toBe(first.hash);
    expect(first.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(renderImageWarmer({ ...input, images: [...input.images].reverse().concat(input.images[0]!) }).hash).toBe(first.hash);
    expect(renderImageWarmer({ ...input, images: [input.images[0]!] }).hash).not.toBe(first.hash);
    expect(renderImageWarmer({ ...input, pauseImage: 'other/pause:1' }).hash).not.toBe(first.hash);
    expect(renderImageWarmer({ ...input, namespace: 'other' }).hash).toBe(first.hash);
  });

  it('refuses an empty set and anything that is not an image reference', () => {
    expect(() => renderImageWarmer({ ...input, images: [] })).toThrow(/at least one image/);
    expect(() => normalizeWarmerImages(['ok/image:1', 'bad image'])).toThrow(/not a container image reference/);
    expect(() => normalizeWarmerImages(['-rm'])).toThrow(/not a container image reference/);
  });

  it('does not share the default affinity object with what it renders', () => {
    const pod = renderImageWarmer(input).daemonSet.spec.template.spec;
    pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.push({});
    expect(GPU_NODE_AFFINITY.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toHaveLength(3);
  });
});
