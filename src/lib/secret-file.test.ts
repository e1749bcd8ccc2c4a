import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readOrCreateSecretFile } from './secret-file.js';

describe('readOrCreateSecretFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-secret-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the file with mode 0600 and a random base64url secret of the asked size', async () => {
    const file = path.join(dir, 'jwt-secret');
    const secret = await readOrCreateSecretFile(file);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(48);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(`${secret}\n`);
    expect(await readOrCreateSecretFile(path.join(dir, 'short'), 16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('answers the same value on the second read', async () => {
    const file = path.join(dir, 'jwt-secret');
    const first = await readOrCreateSecretFile(file);
    await expect(readOrCreateSecretFile(file)).resolves.toBe(first);
  });

  it('answers a different secret for each new file', async () => {
    const [a, b] = await Promise.all([readOrCreateSecretFile(path.join(dir, 'a')), readOrCreateSecretFile(path.join(dir, 'b'))]);
    expect(a).not.toBe(b);
  });

  it('creates missing parent directories, private to their owner', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'secret');
    await readOrCreateSecretFile(file);
    expect((await stat(path.join(dir, 'nested', 'deeper'))).mode & 0o777).toBe(0o700);
  });

  it('keeps a secret the operator wrote, without surrounding whitespace', async () => {
    const file = path.join(dir, 'jwt-secret');
    await writeFile(file, '  operator-provided-secret-value  \n');
    await expect(readOrCreateSecretFile(file)).resolves.toBe('operator-provided-secret-value');
    expect(await readFile(file, 'utf8')).toBe('  operator-provided-secret-value  \n');
  });

  // An empty file (a crash between create and write, or `touch`) is replaced.
  it('never answers an empty secret, even when the file exists but is empty', async () => {
    const file = path.join(dir, 'jwt-secret');
    await writeFile(file, '\n', { mode: 0o600 });
    await expect(readOrCreateSecretFile(file)).resolves.toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it('fails instead of inventing a secret when the path cannot be read', async () => {
    // A directory where the file should be: EISDIR is not ENOENT, so it must not be papered over.
    const file = path.join(dir, 'is-a-directory');
    await mkdir(file);
    await expect(readOrCreateSecretFile(file)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('makes an existing secret file readable by its owner only, whatever mode it came with', async () => {
    const file = path.join(dir, 'secret-key');
    await writeFile(file, 'restored-from-a-backup-secret-value\n');
    await chmod(file, 0o644);
    await expect(readOrCreateSecretFile(file)).resolves.toBe('restored-from-a-backup-secret-value');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
