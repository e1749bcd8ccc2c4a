import { beforeAll, describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from './password.js';

describe('hashPassword / verifyPassword', () => {
  // scrypt is slow on purpose: hash once for the tests that only verify.
  let stored: string;
  beforeAll(async () => {
    stored = await hashPassword('correct horse battery staple');
  });

  it('verifies the password a hash was made from', async () => {
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
  });

  it('refuses a wrong password, including one differing only in case or a trailing space', async () => {
    const wrong = ['Correct horse battery staple', 'correct horse battery staple ', '', 'x'];
    await expect(Promise.all(wrong.map((password) => verifyPassword(password, stored)))).resolves.toEqual([false, false, false, false]);
  });

  it('round-trips passwords with non-ASCII characters', async () => {
    const unicode = await hashPassword('pässwörd-🔑-密码');
    await expect(verifyPassword('pässwörd-🔑-密码', unicode)).resolves.toBe(true);
    await expect(verifyPassword('passwörd-🔑-密码', unicode)).resolves.toBe(false);
  });

  it('salts every hash: the same password hashes differently twice', async () => {
    const [first, second] = await Promise.all([hashPassword('same-password'), hashPassword('same-password')]);
    expect(first).not.toBe(second);
  });

  it('writes the scheme and its parameters into the hash, never the password', () => {
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain('correct horse');
  });

  it('reads the cost from the stored hash: the same hash with another cost no longer matches', async () => {
    // The parameters come from the stored hash, so raising the cost later keeps old hashes valid.
    const [, , r, p, salt, hash] = stored.split('$');
    const cheaper = ['scrypt', 16384, r, p, salt, hash].join('$');
    await expect(verifyPassword('correct horse battery staple', cheaper)).resolves.toBe(false);
  });

  it.each([
    ['an empty string', ''],
    ['plain text', 'not-a-hash'],
    ['another scheme', '$2b$12$abcdefghijklmnopqrstuv'],
    ['too few fields', 'scrypt$32768$8$1$c2FsdHNhbHQ='],
    ['an empty hash field', 'scrypt$32768$8$1$c2FsdHNhbHQ=$'],
  ])('returns false for a malformed stored hash: %s', async (_label, malformed) => {
    await expect(verifyPassword('any-password', malformed)).resolves.toBe(false);
  });

  it.each([
    // Number('abc') is NaN: scrypt throws a RangeError instead of answering false.
    ['a cost that is not a number', 'scrypt$abc$8$1$c2FsdHNhbHQ=$aGFzaGhhc2g='],
    // N must be a power of two: scrypt throws "Invalid scrypt params".
    ['a cost that is not a power of two', 'scrypt$3$8$1$c2FsdHNhbHQ=$aGFzaGhhc2g='],
    // A cost far above maxmem: scrypt throws "memory limit exceeded".
    ['a cost beyond the memory limit', 'scrypt$1073741824$8$1$c2FsdHNhbHQ=$aGFzaGhhc2g='],
  ])('returns false for a stored hash with %s', async (_label, malformed) => {
    await expect(verifyPassword('any-password', malformed)).resolves.toBe(false);
  });

  // "!!!!" decodes to zero bytes: comparing two empty keys must not count as a match.
  it('returns false for any password when the hash field decodes to nothing', async () => {
    await expect(verifyPassword('any-password', 'scrypt$32768$8$1$c2FsdHNhbHQ=$!!!!')).resolves.toBe(false);
  });
});

describe('generatePassword', () => {
  it('makes passwords of the asked length from an alphabet without look-alike characters', () => {
    const password = generatePassword(40);
    expect(password).toHaveLength(40);
    expect(password).toMatch(/^[a-km-np-zA-HJ-NP-Z2-9]+$/);
    expect(password).not.toMatch(/[01lIoO]/);
  });

  it('makes a different password each time', () => {
    expect(new Set(Array.from({ length: 20 }, () => generatePassword()))).toHaveProperty('size', 20);
  });
});
