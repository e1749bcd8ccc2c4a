import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readOrCreateHostIdentity } from './host-identity.js';

describe('readOrCreateHostIdentity', () => {
  const dirs: string[] = [];
  const newDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hmas-host-id-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('generates the id once and keeps it in <dataDir>/host-id, even when asked concurrently', async () => {
    const dir = await newDir();
    const identities = await Promise.all([1, 2, 3].map(() => readOrCreateHostIdentity(dir, 'gpu-box-1')));
    expect(new Set(identities.map((identity) => identity.id)).size).toBe(1);
    expect(identities[0]).toEqual({ id: (await readFile(path.join(dir, 'host-id'), 'utf8')).trim(), hostname: 'gpu-box-1' });
    expect((await readOrCreateHostIdentity(dir, 'renamed')).id).toBe(identities[0]!.id);
  });

  it('gives two data directories on one machine two identities', async () => {
    const [a, b] = await Promise.all([newDir(), newDir()]);
    expect((await readOrCreateHostIdentity(a)).id).not.toBe((await readOrCreateHostIdentity(b)).id);
  });
});
