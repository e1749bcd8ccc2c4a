import { describe, expect, it } from 'vitest';
import { createApiKeyCheck } from './api-key-check.js';

describe('embedded runtime API key check', () => {
  const check = createApiKeyCheck('s3cret-token');

  it('lets a request with the bearer key through', () => {
    expect(check('POST', '/v1/chat/completions', 'Bearer s3cret-token')).toBe(true);
    expect(check('GET', '/metrics?x=1', 'Bearer s3cret-token')).toBe(true);
  });

  it('refuses no key, another key, another scheme and a key with extra text', () => {
    for (const header of [undefined, '', 'Bearer other', 's3cret-token', 'Basic s3cret-token', 'Bearer s3cret-token ', 'bearer s3cret-token', 'Bearer s3cret-tokenX']) {
      expect(check('POST', '/v1/chat/completions', header), String(header)).toBe(false);
    }
  });

  it('leaves only the health check and the metrics open, and only to GET and HEAD', () => {
    expect(check('GET', '/health', undefined)).toBe(true);
    expect(check('HEAD', '/health?x', undefined)).toBe(true);
    expect(check('POST', '/health', undefined)).toBe(false);
    expect(check('GET', '/metrics', undefined)).toBe(true);
    expect(check('GET', '/metrics?name[]=x', undefined)).toBe(true);
    expect(check('POST', '/metrics', undefined)).toBe(false);
    for (const path of ['/v1/models', '/models', '/health/', '//health', '/HEALTH', '/metrics/', '/METRICS', '/metrics/../v1/models', '/v1/chat/completions']) {
      expect(check('GET', path, undefined), path).toBe(false);
    }
  });
});
