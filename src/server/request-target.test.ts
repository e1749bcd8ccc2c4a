import { describe, expect, it } from 'vitest';
import { originForm } from './request-target.js';

describe('originForm', () => {
  it.each([
    ['/api/inference/a/v1/chat/completions?x=1', '/api/inference/a/v1/chat/completions?x=1'],
    ['http://x/api/inference/a/v1/chat/completions?x=1', '/api/inference/a/v1/chat/completions?x=1'],
    ['HTTPS://evil.example:8443/v1/models', '/v1/models'],
    ['http://user:pw@x/api/deployments', '/api/deployments'],
    ['http://x', '/'],
    ['http://x?a=b', '/?a=b'],
    ['//x/api/deployments', '//x/api/deployments'],
    ['*', '*'],
    ['ftp://x/api/deployments', 'ftp://x/api/deployments'],
  ])('turns %s into %s', (target, expected) => {
    expect(originForm(target)).toBe(expected);
  });
});
