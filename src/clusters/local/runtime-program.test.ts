import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSelfCommand, resolveProgram, RUNTIME_BINARY_SETTINGS } from './runtime-program.js';

describe('runtime programs', () => {
  let dir: string;
  let vllm: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-prog-'));
    vllm = path.join(dir, 'vllm');
    await writeFile(vllm, '#!/bin/sh\n');
    await chmod(vllm, 0o755);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const binary = (runtime: 'vllm' | 'ollama', program: string) => ({ runtime, command: { type: 'binary' as const, binary: program, args: ['serve'] } });

  it('looks the runtime program up on PATH', async () => {
    expect(await resolveProgram(binary('vllm', 'vllm'), { selfCommand: null, binaryPaths: {}, pathVariable: dir })).toEqual({ ok: true, file: vllm, args: [] });
  });

  it('uses the configured program over the one on PATH', async () => {
    const other = path.join(dir, 'vllm-custom');
    await writeFile(other, '#!/bin/sh\n');
    await chmod(other, 0o755);
    expect(await resolveProgram(binary('vllm', 'vllm'), { selfCommand: null, binaryPaths: { vllm: other }, pathVariable: dir })).toMatchObject({ ok: true, file: other });
  });

  it('says how to configure a runtime program that is not found', async () => {
    expect(await resolveProgram(binary('ollama', 'ollama'), { selfCommand: null, binaryPaths: {}, pathVariable: dir })).toEqual({
      ok: false,
      reason: 'BinaryNotFound',
      message: "ollama was not found on PATH: install it or set HMAS_RUNTIME_BIN_OLLAMA to the program's full path.",
    });
    expect(await resolveProgram(binary('vllm', 'vllm'), { selfCommand: null, binaryPaths: { vllm: '/opt/none/vllm' }, pathVariable: dir })).toMatchObject({
      ok: false,
      reason: 'BinaryNotFound',
      message: expect.stringContaining('/opt/none/vllm (set by HMAS_RUNTIME_BIN_VLLM) is not an executable file'),
    });
  });

  it('runs the embedded runtime through the hmas command, or says to build it when there is none', async () => {
    const self = { runtime: 'embedded-llamacpp' as const, command: { type: 'self' as const, args: ['runtime', 'llama'] } };
    expect(await resolveProgram(self, { selfCommand: { command: process.execPath, args: ['/x/cli.js'] }, binaryPaths: {}, pathVariable: undefined })).toEqual({
      ok: true,
      file: process.execPath,
      args: ['/x/cli.js'],
    });
    expect(await resolveProgram(self, { selfCommand: null, binaryPaths: {}, pathVariable: undefined })).toMatchObject({ ok: false, reason: 'BinaryNotFound', message: expect.stringContaining('npm run build') });
  });

  it('finds this installation’s CLI: the built one, or the source through tsx', () => {
    const self = defaultSelfCommand();
    expect(self?.command).toBe(process.execPath);
    expect(self?.args.at(-1)).toMatch(/main\/cli\.(js|ts)$/);
  });

  it('has a setting for every external runtime', () => {
    expect(Object.keys(RUNTIME_BINARY_SETTINGS).sort()).toEqual(['llamacpp', 'ollama', 'tei', 'tgi', 'vllm']);
  });
});
