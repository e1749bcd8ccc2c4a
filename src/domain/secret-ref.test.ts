import { describe, expect, it } from 'vitest';
import { optimizationSchema } from './optimization.js';
import { isSecretLookingName, plainSecretIssues, secretNameSchema, secretRefsOf, splitExtraEnv, suggestedSecretName } from './secret-ref.js';

describe('isSecretLookingName', () => {
  it.each(['HF_TOKEN', 'hf_token', 'HUGGING_FACE_HUB_TOKEN', 'VLLM_API_KEY', 'OPENAI_APIKEY', 'GITHUB_ACCESSTOKEN', 'AWS_SECRET_ACCESS_KEY', 'CLIENT_SECRET', 'DB_PASSWORD', 'PGPASSWORD', 'DB_PASS', 'REDIS_PASSWD', 'GOOGLE_APPLICATION_CREDENTIALS', 'AUTH_TOKEN', 'GITHUB_PAT', 'SECRET'])(
    '%s looks secret',
    (name) => expect(isSecretLookingName(name)).toBe(true),
  );

  it.each(['MAX_BATCH_TOKENS', 'MAX_TOTAL_TOKENS', 'MAX_INPUT_TOKENS', 'OLLAMA_KEEP_ALIVE', 'CUDA_VISIBLE_DEVICES', 'VLLM_ATTENTION_BACKEND', 'AUTH_TYPE', 'DISABLE_AUTH', 'BYPASS_CACHE', 'PATH', 'KEYBOARD', 'TOKENIZERS_PARALLELISM', 'OMP_NUM_THREADS'])(
    '%s does not',
    (name) => expect(isSecretLookingName(name)).toBe(false),
  );
});

describe('plainSecretIssues', () => {
  it('refuses plain values under secret-looking names, with a hint to use a secretRef', () => {
    expect(plainSecretIssues({ HF_TOKEN: 'hf_abc', OMP_NUM_THREADS: '4' })).toEqual([
      {
        path: '/raw/extraEnv/HF_TOKEN',
        message:
          'HF_TOKEN looks like a secret: do not put its value in the settings. Create a secret (POST /api/secrets or "hmas secret create hf-token") and set HF_TOKEN to { "secretRef": "hf-token" }.',
      },
    ]);
  });

  it('accepts references and empty values under secret-looking names', () => {
    expect(plainSecretIssues({ HF_TOKEN: { secretRef: 'hf-token' }, VLLM_API_KEY: '' })).toEqual([]);
    expect(plainSecretIssues(undefined)).toEqual([]);
  });
});

describe('secret references', () => {
  it('lists each referenced secret once and splits plain from referenced variables', () => {
    const env = { HF_TOKEN: { secretRef: 'hf' }, HUGGING_FACE_HUB_TOKEN: { secretRef: 'hf' }, B: { secretRef: 'a-key' }, OMP_NUM_THREADS: '2' };
    expect(secretRefsOf(env)).toEqual(['a-key', 'hf']);
    expect(splitExtraEnv(env)).toEqual({ plain: { OMP_NUM_THREADS: '2' }, fromSecrets: { HF_TOKEN: 'hf', HUGGING_FACE_HUB_TOKEN: 'hf', B: 'a-key' } });
  });

  it('suggests a DNS-label secret name for a variable', () => {
    expect(suggestedSecretName('HF_TOKEN')).toBe('hf-token');
    expect(suggestedSecretName('__X__')).toBe('x');
    expect(secretNameSchema.safeParse(suggestedSecretName(`A${'_B'.repeat(60)}`)).success).toBe(true);
  });

  it('takes DNS-1123 labels as secret names and nothing else', () => {
    for (const name of ['hf-token', 'a', 'x1']) expect(secretNameSchema.safeParse(name).success).toBe(true);
    for (const name of ['', 'HF', '-a', 'a-', 'a_b', 'a.b', 'a'.repeat(64), 'a\u0000b', '../x']) expect(secretNameSchema.safeParse(name).success).toBe(false);
  });

  it('accepts { secretRef } as an extraEnv value and explains a malformed one', () => {
    expect(optimizationSchema.safeParse({ raw: { extraEnv: { HF_TOKEN: { secretRef: 'hf-token' } } } }).success).toBe(true);
    const bad = optimizationSchema.safeParse({ raw: { extraEnv: { HF_TOKEN: { secretRef: 'HF TOKEN' } } } });
    expect(bad.error?.issues[0]?.message).toMatch(/DNS-1123/);
    const wrongType = optimizationSchema.safeParse({ raw: { extraEnv: { A: 5 } } });
    expect(wrongType.error?.issues[0]?.message).toBe('Each extraEnv value is a string or { "secretRef": "<secret name>" }.');
    const nul = optimizationSchema.safeParse({ raw: { extraEnv: { A: 'a\u0000' } } });
    expect(nul.error?.issues[0]?.message).toBe('Each extraEnv value must not contain NUL or line breaks.');
  });
});
