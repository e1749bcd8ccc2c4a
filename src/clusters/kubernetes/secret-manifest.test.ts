import { describe, expect, it } from 'vitest';
import { newReplicaToken, renderSecretEnv, resolveSecretEnv, workloadSecretName } from './secret-manifest.js';

const spec = {
  name: 'chat',
  secretEnv: { HF_TOKEN: 'hf-token', VLLM_API_KEY: 'vllm-key', HUGGING_FACE_HUB_TOKEN: 'hf-token' },
  labels: { 'app.kubernetes.io/name': 'chat', 'hmas.io/deployment': 'chat' },
  annotations: { 'hmas.io/deployment': 'chat' },
};

describe('renderSecretEnv', () => {
  it('renders one Secret with each referenced value once, base64-encoded, and secretKeyRef env entries', () => {
    const out = renderSecretEnv(spec, { 'hf-token': 'hf_abc', 'vllm-key': 'k€y\nline' }, { namespace: 'llm' });
    expect(out?.secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'chat-secrets',
        namespace: 'llm',
        labels: spec.labels,
        annotations: { 'hmas.io/deployment': 'chat', 'hmas.io/secrets': 'hf-token,vllm-key' },
      },
      type: 'Opaque',
      data: { 'hf-token': Buffer.from('hf_abc').toString('base64'), 'vllm-key': Buffer.from('k€y\nline').toString('base64') },
    });
    expect(out?.env).toEqual([
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'chat-secrets', key: 'hf-token', optional: false } } },
      { name: 'HUGGING_FACE_HUB_TOKEN', valueFrom: { secretKeyRef: { name: 'chat-secrets', key: 'hf-token', optional: false } } },
      { name: 'VLLM_API_KEY', valueFrom: { secretKeyRef: { name: 'chat-secrets', key: 'vllm-key', optional: false } } },
    ]);
  });

  it('keeps values out of everything but data', () => {
    const out = renderSecretEnv(spec, { 'hf-token': 'hf_plain_value', 'vllm-key': 'other_plain' });
    expect(JSON.stringify({ ...out?.secret, data: undefined }) + JSON.stringify(out?.env)).not.toMatch(/plain/);
  });

  it('answers null for a spec without secret references', () => {
    expect(renderSecretEnv({ ...spec, secretEnv: undefined }, {})).toBeNull();
    expect(renderSecretEnv({ ...spec, secretEnv: {} }, {})).toBeNull();
  });

  it('refuses to render a Secret when a referenced value is missing, naming it', () => {
    expect(() => renderSecretEnv(spec, { 'hf-token': 'x' })).toThrow('Secret "vllm-key" has no value to render into chat-secrets.');
  });

  it('names the Secret within 63 characters', () => {
    const name = workloadSecretName({ name: 'a'.repeat(63) });
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});

describe('resolveSecretEnv', () => {
  const values: Record<string, string> = { 'hf-token': 'hf_abc', 'vllm-key': 'key' };
  const resolve = async (name: string) => values[name];

  it('resolves every value into the Secret and its secretKeyRef env entries', async () => {
    const out = await resolveSecretEnv(spec, resolve, { namespace: 'llm' });
    expect(out).toEqual(renderSecretEnv(spec, values, { namespace: 'llm' }));
  });

  it('leaves the Secret out when a value is missing, but keeps the references (pods then report CreateContainerConfigError)', async () => {
    const out = await resolveSecretEnv(spec, async (name) => (name === 'hf-token' ? 'x' : undefined), { namespace: 'llm' });
    expect(out.secret).toBeNull();
    expect(out.env).toEqual([
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'chat-secrets', key: 'hf-token', optional: false } } },
      { name: 'HUGGING_FACE_HUB_TOKEN', valueFrom: { secretKeyRef: { name: 'chat-secrets', key: 'hf-token', optional: false } } },
      { name: 'VLLM_API_KEY', valueFrom: { secretKeyRef: { name: 'chat-secrets', key: 'vllm-key', optional: false } } },
    ]);
  });

  it('answers nothing for a spec without secret references, without resolving anything', async () => {
    const out = await resolveSecretEnv({ ...spec, secretEnv: {} }, async () => {
      throw new Error('not asked');
    }, { namespace: 'llm' });
    expect(out).toEqual({ secret: null, env: [] });
  });
});

describe('newReplicaToken', () => {
  it('is 32 random bytes, base64url (a bearer token without padding), different each time', () => {
    const token = newReplicaToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newReplicaToken()).not.toBe(token);
  });
});
