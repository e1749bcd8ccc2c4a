import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretBoxError } from './secret-box.js';

const KEY = 'k'.repeat(40);

describe('secret box', () => {
  it('round-trips and never stores the plaintext', () => {
    const box = createSecretBox(KEY);
    const sealed = box.seal('apiVersion: v1\nusers: [token: abc]');
    expect(sealed).not.toContain('abc');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.open(sealed)).toBe('apiVersion: v1\nusers: [token: abc]');
  });

  it('uses a fresh IV each time', () => {
    const box = createSecretBox(KEY);
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses a wrong key and tampered data with a clear error', () => {
    const sealed = createSecretBox(KEY).seal('secret');
    expect(() => createSecretBox('x'.repeat(40)).open(sealed)).toThrow(SecretBoxError);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => createSecretBox(KEY).open(parts.join('.'))).toThrow(/cannot be decrypted/);
    expect(() => createSecretBox(KEY).open('plain')).toThrow(/Not a sealed secret/);
  });

  it('refuses short keys', () => {
    expect(() => createSecretBox('short')).toThrow(SecretBoxError);
  });
});
