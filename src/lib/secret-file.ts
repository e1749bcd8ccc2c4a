import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
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
  // Written completely under a temporary name, then linked into place: readers never see a
  // half-written file, and link() fails if another process got there first.
  const temporary = `${filePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, filePath);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const existing = (await readFile(filePath, 'utf8')).trim();
    if (existing.length > 0) return existing;
    // An empty file (e.g. left by a crash) is replaced.
    await writeFile(filePath, `${secret}\n`, { mode: 0o600 });
    return secret;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
