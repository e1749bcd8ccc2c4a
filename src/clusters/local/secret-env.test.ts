import { describe, expect, it } from 'vitest';
import { secretEnvironment } from './secret-env.js';

const values: Record<string, string> = { 'hf-token': 'hf_value' };
const resolve = async (name: string) => values[name];

describe('secretEnvironment', () => {
  it('gives each referenced variable its secret value', async () => {
    expect(await secretEnvironment({ secretEnv: { HF_TOKEN: 'hf-token', HUGGING_FACE_HUB_TOKEN: 'hf-token' } }, resolve)).toEqual({
      ok: true,
      env: { HF_TOKEN: 'hf_value', HUGGING_FACE_HUB_TOKEN: 'hf_value' },
    });
  });

  it('needs no resolver for a spec without references', async () => {
    expect(await secretEnvironment({}, undefined)).toEqual({ ok: true, env: {} });
  });

  it('refuses to start without a missing secret, naming it and the variable', async () => {
    const out = await secretEnvironment({ secretEnv: { HF_TOKEN: 'hf-token', API_KEY: 'gone' } }, resolve);
    expect(out).toEqual({ ok: false, message: expect.stringContaining('Secret "gone" (for API_KEY) not found') });
  });

  it('says why a secret could not be read', async () => {
    const out = await secretEnvironment({ secretEnv: { HF_TOKEN: 'hf-token' } }, async () => {
      throw new Error('wrong HMAS_SECRET_KEY');
    });
    expect(out).toEqual({ ok: false, message: 'Secret "hf-token" (for HF_TOKEN) could not be read: wrong HMAS_SECRET_KEY' });
  });

  it('says when the driver has no access to secrets', async () => {
    expect(await secretEnvironment({ secretEnv: { HF_TOKEN: 'hf-token' } }, undefined)).toEqual({ ok: false, message: expect.stringContaining('"hf-token"') });
  });
});
