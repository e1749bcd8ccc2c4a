import { describe, expect, it } from 'vitest';
import { API_KEY_BODY_LENGTH, isWellFormedApiKey } from '../../domain/api-key.js';
import { displayPrefix, generateApiKey, hashApiKey, toBase62 } from './api-key-secret.js';

describe('API key secrets', () => {
  it('generates sk-hmas- keys of 43 base62 characters that the gateway accepts as well-formed', () => {
    const { key } = generateApiKey();
    expect(key).toMatch(/^sk-hmas-[0-9A-Za-z]{43}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
  });

  it('draws 32 random bytes per key, so two keys differ', () => {
    const sizes: number[] = [];
    const first = generateApiKey((size) => {
      sizes.push(size);
      return new Uint8Array(size).fill(1);
    });
    expect(sizes).toEqual([32]);
    expect(first.key).not.toBe(generateApiKey().key);
  });

  it('stores the SHA-256 of the whole key, in hex, and a prefix too short to use', () => {
    const secret = generateApiKey();
    expect(secret.sha256).toBe(hashApiKey(secret.key));
    expect(secret.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(secret.prefix).toBe(secret.key.slice(0, 12));
    expect(displayPrefix('sk-hmas-AbCdEfGh')).toBe('sk-hmas-AbCd');
    // The well-known SHA-256 test vector.
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('writes the smallest and the largest 32-byte values in exactly 43 base62 characters', () => {
    expect(toBase62(new Uint8Array(32), API_KEY_BODY_LENGTH)).toBe('0'.repeat(43));
    const largest = toBase62(new Uint8Array(32).fill(255), API_KEY_BODY_LENGTH);
    expect(largest).toHaveLength(43);
    expect(largest).toMatch(/^[0-9A-Za-z]+$/);
    expect(toBase62(Uint8Array.of(0, 61), 2)).toBe('0z');
    expect(toBase62(Uint8Array.of(0, 62), 2)).toBe('10');
  });

  it('refuses a value that does not fit the length instead of writing a longer key', () => {
    expect(() => toBase62(new Uint8Array(33).fill(255), API_KEY_BODY_LENGTH)).toThrow(/do not fit/);
  });
});
