import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Reads a secret kept in a file, creating it (mode 0600) with random bytes the first time.
 * Used for secrets the operator did not provide, so they survive restarts.
 */
export async function readOrCreateSecretFile(filePath: string, bytes = 48): Promise<string> {
  try {
    const existing = (await readFile(filePath, 'utf8')).trim();
    if (existing.length > 0) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(filePath), { recursive: true, mode: 0o700 });
  const secret = randomBytes(bytes).toString('base64url');
  try {
    // 'wx' fails if another process created it first; then read theirs.
    await writeFile(filePath, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(filePath, 'utf8')).trim();
    throw error;
  }
}
