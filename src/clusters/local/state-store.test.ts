import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderWorkloadSpec } from '../../domain/workload.js';
import { RUNTIMES } from '../../runtimes/index.js';
import { loadWorkloadStates, removeWorkloadDir, writeJsonAtomic, type PersistedWorkload } from './state-store.js';

describe('workload state files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-state-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const state: PersistedWorkload = {
    version: 1,
    spec: renderWorkloadSpec({
      deployment: { id: 'd-1', name: 'chat', replicas: 1 },
      model: { name: 'tiny', localPath: '/m/tiny.gguf' },
      runtime: RUNTIMES['embedded-llamacpp'],
    }).spec,
    olderSpecs: {},
    replicas: [],
    events: [],
  };

  it('writes atomically (no temporary file left) and reads back what it wrote', async () => {
    const stateDir = path.join(dir, 'roundtrip');
    await writeJsonAtomic(path.join(stateDir, 'chat', 'state.json'), state);
    expect(await readdir(path.join(stateDir, 'chat'))).toEqual(['state.json']);
    expect(await loadWorkloadStates(stateDir)).toEqual([{ name: 'chat', state }]);
  });

  it('reports a state it cannot read instead of failing, and skips directories without one', async () => {
    const stateDir = path.join(dir, 'broken');
    await mkdir(path.join(stateDir, 'bad'), { recursive: true });
    await mkdir(path.join(stateDir, 'empty'), { recursive: true });
    await writeFile(path.join(stateDir, 'bad', 'state.json'), '{"version": 1, "spec"');
    const loaded = await loadWorkloadStates(stateDir);
    expect(loaded).toEqual([{ name: 'bad', state: null, problem: expect.any(String) }]);
  });

  it('answers nothing for a state directory that does not exist yet, and removes a workload’s directory', async () => {
    expect(await loadWorkloadStates(path.join(dir, 'none'))).toEqual([]);
    const stateDir = path.join(dir, 'remove');
    await writeJsonAtomic(path.join(stateDir, 'chat', 'state.json'), state);
    await removeWorkloadDir(stateDir, 'chat');
    expect(await readdir(stateDir)).toEqual([]);
  });
});
