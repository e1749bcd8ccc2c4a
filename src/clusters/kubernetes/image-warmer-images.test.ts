import { describe, expect, it } from 'vitest';
import { runtimeImageOn, warmerRenderOptions } from './image-warmer-images.js';
import { DEFAULT_SELF_IMAGE, type RuntimeImages } from './workload-image.js';

const images: RuntimeImages = {
  vllm: { image: 'vllm/vllm-openai:v0.11.0', hostCommand: ['vllm', 'serve'], containerCommand: null },
  'embedded-llamacpp': { image: null, hostCommand: ['hmas', 'runtime', 'llama'], containerCommand: null },
  llamacpp: { image: 'ghcr.io/ggml-org/llama.cpp:server-cuda', hostCommand: ['llama-server'], containerCommand: null },
};

describe('runtimeImageOn', () => {
  it('is the official image by default, and H-MAS\'s own image for the embedded runtime', () => {
    expect(runtimeImageOn('vllm', images)).toBe('vllm/vllm-openai:v0.11.0');
    expect(runtimeImageOn('embedded-llamacpp', images)).toBe(DEFAULT_SELF_IMAGE);
    expect(runtimeImageOn('tgi', images)).toBeNull();
  });

  it('takes the cluster\'s overrides and pulls everything through its mirror', () => {
    const settings = { images: { vllm: 'registry.local/vllm:custom', 'embedded-llamacpp': 'ignored/for:self' }, selfImage: 'registry.local/hmas:1', registryMirror: 'mirror.local:5000' };
    expect(runtimeImageOn('vllm', images, settings)).toBe('mirror.local:5000/vllm:custom');
    expect(runtimeImageOn('embedded-llamacpp', images, settings)).toBe('mirror.local:5000/hmas:1');
    expect(runtimeImageOn('llamacpp', images, settings)).toBe('mirror.local:5000/ggml-org/llama.cpp:server-cuda');
  });
});

describe('warmerRenderOptions', () => {
  it('mirrors the pause image and passes the pull secret', () => {
    expect(warmerRenderOptions()).toEqual({ pauseImage: 'registry.k8s.io/pause:3.10' });
    expect(warmerRenderOptions({ registryMirror: 'mirror.local', imagePullSecret: 'regcred' })).toEqual({ pauseImage: 'mirror.local/pause:3.10', imagePullSecrets: ['regcred'] });
  });
});
