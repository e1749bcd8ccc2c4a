import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Makes an existing secret file readable by its owner only (0600): one copied in or restored from
 * a backup may have come with looser modes. A file of another user is refused: its owner could
 * read it, and chmod is not ours to do.
 */
export async function ensurePrivateFile(filePath: string): Promise<void> {
  const info = await stat(filePath);
  // Not a file: reading it fails with the reason (EISDIR, …).
  if (!info.isFile()) return;
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) throw new Error(`${filePath} belongs to uid ${info.uid}, not to the server (uid ${uid}): a file holding a secret must be the server's own.`);
  if ((info.mode & 0o077) !== 0) await chmod(filePath, 0o600);
}

/**
 * Reads a secret kept in a file, creating it (mode 0600) with random bytes the first time.
 * Used for secrets the operator did not provide, so they survive restarts. An existing file is
 * made 0600 first (see `ensurePrivateFile`).
 */
export async function readOrCreateSecretFile(filePath: string, bytes = 48): Promise<string> {
  try {
    await ensurePrivateFile(filePath);
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
    await ensurePrivateFile(filePath);
    const existing = (await readFile(filePath, 'utf8')).trim();
    if (existing.length > 0) return existing;
    // An empty file (e.g. left by a crash) is replaced.
    await writeFile(filePath, `${secret}\n`, { mode: 0o600 });
    return secret;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
