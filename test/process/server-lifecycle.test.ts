import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/cli-process.js';

// Real processes with a fresh embedded database: slow on a busy two-core machine.
describe('hmas server process', { timeout: 120_000 }, () => {
  let dataDir: string;
  const started: ServerProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const server = await startServerProcess(env);
    started.push(server);
    return server;
  };
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-proc-'));
  });
  afterEach(async () => {
    for (const server of started.splice(0)) {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      await server.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('on first start generates the admin password, prints it once, and keeps the JWT secret private', async () => {
    const first = await start({ HMAS_DATA_DIR: dataDir, HMAS_LOG_LEVEL: 'info' });
    const match = /created user "admin" with the password\s+(\S+)/.exec(first.output());
    expect(match?.[1]).toBeTruthy();
    const password = match![1]!;
    const login = await fetch(`${first.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
    expect((await stat(path.join(dataDir, 'jwt-secret'))).mode & 0o777).toBe(0o600);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).not.toContain(`"${password}"`);

    // Second start: same database, no new password, and the old session token still works.
    const second = await start({ HMAS_DATA_DIR: dataDir, HMAS_LOG_LEVEL: 'info' });
    try {
      expect(second.output()).not.toContain('created user "admin"');
      const token = ((await login.json()) as { accessToken: string }).accessToken;
      const me = await fetch(`${second.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('on SIGTERM stops loops, finishes in-flight requests, closes the database and exits 0', async () => {
    const server = await start({ HMAS_DATA_DIR: dataDir, HMAS_LOG_LEVEL: 'info', HMAS_ADMIN_PASSWORD: 'unused-password' });
    // A login takes a while (scrypt): send several and signal while they are in flight.
    const inFlight = Array.from({ length: 5 }, () =>
      fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'wrong-but-slow' }),
      }).then((response) => response.status),
    );
    // Signal once the server has received all five (and is hashing passwords).
    while ((server.output().match(/"incoming request"/g) ?? []).length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    server.child.kill('SIGTERM');
    const statuses = await Promise.all(inFlight);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    expect(await server.exited).toBe(0);
    const log = server.output();
    const order = ['signal received', 'shutting down: stopping background loops', 'shutting down: draining HTTP', 'shutdown complete'].map((line) => log.indexOf(line));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Every log line of a request carries its request id.
    const requestLines = log.split('\n').filter((line) => line.includes('"request completed"'));
    expect(requestLines.length).toBeGreaterThan(0);
    expect(requestLines.every((line) => /"requestId":"[^"]+"/.test(line))).toBe(true);
  });
});
