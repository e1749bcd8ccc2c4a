import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquirePidLock, LockHeldError } from './pid-lock.js';

// Above Linux's largest possible pid_max (2^22) and macOS's 99998: never a running process.
const PID_NEVER_RUNNING = 2 ** 22 + 12_345;

/** Another process that takes the lock with the real acquirePidLock and holds it until killed. */
async function childHoldingLock(lockFile: string): Promise<ChildProcess> {
  const moduleUrl = pathToFileURL(path.join(import.meta.dirname, 'pid-lock.ts')).href;
  const script = `const { acquirePidLock } = await import(${JSON.stringify(moduleUrl)});
await acquirePidLock(${JSON.stringify(lockFile)});
process.stdout.write('locked\\n');
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the lock-holding child exited with ${code}: ${stderr}`)));
  });
  return child;
}

describe('acquirePidLock', () => {
  let dir: string;
  let lockFile: string;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-pid-lock-'));
    lockFile = path.join(dir, 'data', 'hmas.pid');
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    child = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the lock file, private to its owner, holding this process id, and release removes it', async () => {
    const release = await acquirePidLock(lockFile);
    expect(await readFile(lockFile, 'utf8')).toBe(`${process.pid}\n`);
    expect((await stat(lockFile)).mode & 0o777).toBe(0o600);
    await release();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('fails with LockHeldError naming the other process while another live process holds the lock', async () => {
    child = await childHoldingLock(lockFile);
    expect(await readFile(lockFile, 'utf8')).toBe(`${child.pid}\n`);

    const attempt = acquirePidLock(lockFile);
    await expect(attempt).rejects.toBeInstanceOf(LockHeldError);
    await expect(attempt).rejects.toMatchObject({ pid: child.pid, lockFile, name: 'LockHeldError' });
    await expect(attempt).rejects.toThrow(path.dirname(lockFile));
    // The refused attempt leaves the holder's lock alone.
    expect(await readFile(lockFile, 'utf8')).toBe(`${child.pid}\n`);
  });

  it('takes over the lock once the process holding it has died without releasing it', async () => {
    child = await childHoldingLock(lockFile);
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(lockFile)).toBe(true);

    const release = await acquirePidLock(lockFile);
    expect(await readFile(lockFile, 'utf8')).toBe(`${process.pid}\n`);
    await release();
  });

  it('takes over a stale lock file left by a pid that is not running', async () => {
    await acquirePidLock(lockFile);
    await writeFile(lockFile, `${PID_NEVER_RUNNING}\n`);

    const release = await acquirePidLock(lockFile);
    expect(await readFile(lockFile, 'utf8')).toBe(`${process.pid}\n`);
    await release();
  });

  it.each(['', 'not-a-pid\n', '-5\n', '0\n'])('takes over a lock file with the unusable content %j', async (content) => {
    await acquirePidLock(lockFile);
    await writeFile(lockFile, content);
    const release = await acquirePidLock(lockFile);
    expect(await readFile(lockFile, 'utf8')).toBe(`${process.pid}\n`);
    await release();
  });

  it('lets this process take a lock that already names it', async () => {
    await acquirePidLock(lockFile);
    const again = await acquirePidLock(lockFile);
    expect(await readFile(lockFile, 'utf8')).toBe(`${process.pid}\n`);
    await again();
  });

  it('release() tolerates a lock file that is already gone', async () => {
    const release = await acquirePidLock(lockFile);
    await rm(lockFile);
    await expect(release()).resolves.toBeUndefined();
  });
});
