import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class LockHeldError extends Error {
  constructor(readonly lockFile: string, readonly pid: number) {
    super(`Another H-MAS process (pid ${pid}) is using this data directory (${path.dirname(lockFile)}).`);
    this.name = 'LockHeldError';
  }
}

/**
 * An exclusive lock held by this process through a pid file. A lock left by a process that
 * has died is taken over. Returns the release function.
 */
export async function acquirePidLock(lockFile: string): Promise<() => Promise<void>> {
  await mkdir(path.dirname(lockFile), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(lockFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return async () => {
        await unlink(lockFile).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new LockHeldError(lockFile, pid);
      await unlink(lockFile).catch(() => undefined);
    }
  }
  throw new Error(`Could not take the lock ${lockFile}.`);
}
