import { describe, expect, it } from 'vitest';
import { vllmLikeRuntime } from '../../../test/support/container-runtime.js';
import { renderWorkloadSpec, type WorkloadRuntime } from '../../domain/workload.js';
import { renderDeployment, type ManifestContext } from './workload-manifests.js';
import { podScheduling } from './workload-scheduling.js';
import { scrapeMetadata } from './scrape-metadata.js';

const context: ManifestContext = {
  namespace: 'hmas',
  cluster: { name: 'gpu-a' },
  images: {
    vllm: { image: 'vllm/vllm-openai:v0.11.0', hostCommand: ['vllm', 'serve'], containerCommand: null },
    llamacpp: { image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', hostCommand: ['llama-server'], containerCommand: null },
    ollama: { image: 'ollama/ollama:0.12.6', hostCommand: ['ollama', 'serve'], containerCommand: ['/bin/ollama', 'serve'] },
  },
  settings: {},
  scheduling: podScheduling({ scheduler: 'default', type: 'HP' }),
  secretEnv: [],
  tokenSecret: 'chat-token',
};

function specOf(runtime: WorkloadRuntime, modelName = 'qwen2.5-7b') {
  return renderWorkloadSpec({ deployment: { id: '0b7c4a52-5d0e-4a36-9a2e-1f6f7c1a9d11', name: 'chat', replicas: 1 }, model: { name: modelName, localPath: '/models/m' }, runtime, resourceProfile: { gpuCount: 1, cpu: '4', memory: '16Gi' } }).spec;
}
type Pod = { spec: { template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } } };
const podOf = (runtime: WorkloadRuntime, modelName?: string) => (renderDeployment(specOf(runtime, modelName), context) as unknown as Pod).spec.template.metadata;

describe('what Prometheus finds on a workload’s pods', () => {
  it('annotates a runtime with open metrics for kubernetes_sd_configs, with the port and path, and labels the model', () => {
    const pod = podOf(vllmLikeRuntime({ apiKeyEnv: 'VLLM_API_KEY' }));
    expect(pod.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8000', 'prometheus.io/path': '/metrics', 'hmas.io/model': 'qwen2.5-7b' });
    expect(pod.labels).toMatchObject({ 'hmas.io/model': 'qwen2.5-7b', 'hmas.io/runtime': 'vllm', 'hmas.io/deployment': '0b7c4a52-5d0e-4a36-9a2e-1f6f7c1a9d11', 'app.kubernetes.io/instance': 'chat' });
  });

  it('does not ask Prometheus to scrape llama.cpp’s server behind its key, nor a runtime without metrics', () => {
    const llama: WorkloadRuntime = { ...vllmLikeRuntime({ apiKeyEnv: 'LLAMA_API_KEY' }), id: 'llamacpp', port: 8080 };
    const pod = podOf(llama);
    expect(pod.annotations['prometheus.io/scrape']).toBe('false');
    expect(pod.annotations['prometheus.io/path']).toBeUndefined();
    expect(scrapeMetadata({ runtime: 'llamacpp', metricsPath: '/metrics', apiKeyEnv: null, port: 8080, model: { name: 'm', path: '/m' } }).annotations['prometheus.io/scrape']).toBe('true');
    const ollama = scrapeMetadata({ runtime: 'ollama', metricsPath: null, apiKeyEnv: null, port: 11434, model: { name: 'm', path: '/m' } });
    expect(ollama.annotations).toEqual({ 'prometheus.io/scrape': 'false', 'hmas.io/model': 'm' });
  });

  it('keeps a model name that is no valid label value as an annotation only', () => {
    for (const name of ['a'.repeat(64), 'ends-with-dot.', 'ends_']) {
      const pod = podOf(vllmLikeRuntime(), name);
      expect(pod.labels['hmas.io/model'], name).toBeUndefined();
      expect(pod.annotations['hmas.io/model']).toBe(name);
    }
    expect(podOf(vllmLikeRuntime(), 'a'.repeat(63)).labels['hmas.io/model']).toBe('a'.repeat(63));
  });

  it('leaves the spec and its hash as they were', () => {
    const spec = specOf(vllmLikeRuntime());
    const rendered = renderDeployment(spec, context) as unknown as { metadata: { annotations: Record<string, string> } };
    expect(JSON.parse(rendered.metadata.annotations['hmas.io/spec'] ?? '')).toEqual(spec);
  });
});
