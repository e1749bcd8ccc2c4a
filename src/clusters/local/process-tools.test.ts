import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth, findExecutable, findFreePort, isRunning, parseProcStat, readProcessIdentity, runtimeEnvironment, sameProcess } from './process-tools.js';

describe('process tools', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-proc-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reads state and start time from /proc/PID/stat, even when the command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[19] = '123456';
    expect(parseProcStat(`4242 (my (odd) name) ${fields.join(' ')}`)).toEqual({ state: 'S', startTime: '123456' });
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('recognises this very process by its start time and command line', async () => {
    const identity = await readProcessIdentity(process.pid);
    expect(identity.cmdline).toEqual(expect.arrayContaining([expect.stringContaining('vitest')]));
    expect(identity.startTime).toMatch(/^[0-9]+$/);
    expect(sameProcess({ argv: ['anything'], startTime: identity.startTime }, identity)).toBe('yes');
    expect(sameProcess({ argv: ['anything'], startTime: '1' }, identity)).toBe('no');
    expect(sameProcess({ argv: identity.cmdline ?? [], startTime: null }, identity)).toBe('yes');
    expect(sameProcess({ argv: ['something', 'else'], startTime: null }, identity)).toBe('no');
    expect(sameProcess({ argv: [], startTime: null }, { cmdline: null, startTime: null })).toBe('unknown');
    expect(await isRunning(process.pid)).toBe(true);
    expect(await isRunning(2 ** 22 + 12_345)).toBe(false);
  });

  it('finds programs on PATH or by path, only when they are executable files', async () => {
    const bin = path.join(dir, 'bin');
    await mkdir(bin);
    await writeFile(path.join(bin, 'runtime-x'), '#!/bin/sh\n');
    await chmod(path.join(bin, 'runtime-x'), 0o755);
    await writeFile(path.join(bin, 'not-executable'), '');
    await mkdir(path.join(bin, 'a-directory'));
    const PATH = ['relative/dir', '/nonexistent', bin].join(path.delimiter);
    expect(await findExecutable('runtime-x', PATH)).toBe(path.join(bin, 'runtime-x'));
    expect(await findExecutable('not-executable', PATH)).toBeNull();
    expect(await findExecutable('a-directory', PATH)).toBeNull();
    expect(await findExecutable('runtime-x', undefined)).toBeNull();
    expect(await findExecutable(path.join(bin, 'runtime-x'), undefined)).toBe(path.join(bin, 'runtime-x'));
    expect(await findExecutable(path.join(bin, 'missing'), PATH)).toBeNull();
  });

  it('passes runtimes what they need from the environment and none of H-MAS’s settings or secrets', () => {
    expect(
      runtimeEnvironment({
        PATH: '/usr/bin',
        HOME: '/root',
        LC_ALL: 'C.UTF-8',
        CUDA_VISIBLE_DEVICES: '0,1',
        NVIDIA_VISIBLE_DEVICES: 'all',
        HF_HOME: '/cache/hf',
        https_proxy: 'http://proxy:3128',
        HMAS_SECRET_KEY: 'secret',
        HMAS_JWT_SECRET: 'secret',
        DATABASE_URL: 'postgres://',
        HF_TOKEN: 'hf_x',
        AWS_SECRET_ACCESS_KEY: 'x',
        UNSET: undefined,
      }),
    ).toEqual({ PATH: '/usr/bin', HOME: '/root', LC_ALL: 'C.UTF-8', CUDA_VISIBLE_DEVICES: '0,1', NVIDIA_VISIBLE_DEVICES: 'all', HF_HOME: '/cache/hf', https_proxy: 'http://proxy:3128' });
  });

  it('hands out the preferred port when it is free, and another one when it is taken or reserved', async () => {
    const first = await findFreePort('127.0.0.1', null, new Set());
    expect(await findFreePort('127.0.0.1', first, new Set())).toBe(first);
    expect(await findFreePort('127.0.0.1', first, new Set([first]))).not.toBe(first);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(first, '127.0.0.1', resolve));
    try {
      expect(await findFreePort('127.0.0.1', first, new Set())).not.toBe(first);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('counts only a 2xx answer as healthy, and never rejects', async () => {
    let status = 503;
    const server = http.createServer((_request, response) => {
      response.writeHead(status);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      expect(await checkHealth(`http://127.0.0.1:${port}/health`, 2000)).toEqual({ ok: false, detail: 'HTTP 503' });
      status = 200;
      expect(await checkHealth(`http://127.0.0.1:${port}/health`, 2000)).toEqual({ ok: true, detail: 'HTTP 200' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await checkHealth(`http://127.0.0.1:${port}/health`, 2000)).toEqual({ ok: false, detail: 'ECONNREFUSED' });
  });
});
