import { describe, expect, it } from 'vitest';
import { apiKeyStatus, createApiKeySchema, isWellFormedApiKey, looksLikeApiKey, updateApiKeySchema } from './api-key.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const WELL_FORMED = `sk-hmas-${'A1b2'.repeat(10)}xyz`;

describe('API key forms', () => {
  it('treats anything starting with sk-hmas- as presented as a key, but only the issued shape as well-formed', () => {
    expect(looksLikeApiKey('sk-hmas-short')).toBe(true);
    expect(looksLikeApiKey('eyJ.a.b')).toBe(false);
    expect(isWellFormedApiKey(WELL_FORMED)).toBe(true);
    expect(isWellFormedApiKey('sk-hmas-short')).toBe(false);
    expect(isWellFormedApiKey(`${WELL_FORMED}x`)).toBe(false);
    expect(isWellFormedApiKey(WELL_FORMED.replace('A', '-'))).toBe(false);
    expect(isWellFormedApiKey(`sk-other${WELL_FORMED.slice(8)}`)).toBe(false);
  });

  it('derives the status: revoked before inactive before expired', () => {
    const base = { active: true, revokedAt: null, expiresAt: null };
    expect(apiKeyStatus(base, NOW)).toBe('active');
    expect(apiKeyStatus({ ...base, expiresAt: '2030-01-01T00:00:01Z' }, NOW)).toBe('active');
    expect(apiKeyStatus({ ...base, expiresAt: NOW }, NOW)).toBe('expired');
    expect(apiKeyStatus({ ...base, active: false, expiresAt: NOW }, NOW)).toBe('inactive');
    expect(apiKeyStatus({ ...base, active: false, revokedAt: NOW, expiresAt: NOW }, NOW)).toBe('revoked');
  });
});

describe('API key request schemas', () => {
  it('accepts a full create and fills nothing in itself', () => {
    const input = { name: ' ci ', expiresAt: '2031-01-01T00:00:00+02:00', allowedDeployments: ['qwen', 'llama-3'], rpm: 0, tpm: null, scopes: ['inference'] };
    expect(createApiKeySchema.parse(input)).toEqual({ ...input, name: 'ci' });
    expect(createApiKeySchema.parse({ name: 'ci' })).toEqual({ name: 'ci' });
  });

  it.each([
    ['an empty name', { name: '  ' }],
    ['a negative rpm', { name: 'x', rpm: -1 }],
    ['a fractional tpm', { name: 'x', tpm: 1.5 }],
    ['an rpm beyond the database integer', { name: 'x', rpm: 3_000_000_000 }],
    ['a deployment name that is not DNS-1123', { name: 'x', allowedDeployments: ['Qwen_7B'] }],
    ['an unknown scope', { name: 'x', scopes: ['admin'] }],
    ['no scopes at all', { name: 'x', scopes: [] }],
    ['a date without a time', { name: 'x', expiresAt: '2031-01-01' }],
    ['an unknown field', { name: 'x', key: 'sk-hmas-chosen' }],
  ])('refuses %s', (_what, input) => {
    expect(createApiKeySchema.safeParse(input).success).toBe(false);
  });

  it('lets a change clear the expiry and the limits with null, but not the name', () => {
    expect(updateApiKeySchema.parse({ expiresAt: null, rpm: null, tpm: null })).toEqual({ expiresAt: null, rpm: null, tpm: null });
    expect(updateApiKeySchema.safeParse({ name: null }).success).toBe(false);
    expect(updateApiKeySchema.safeParse({ scopes: ['inference'] }).success).toBe(false);
  });
});
