import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess } from '../support/cli-process.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../support/test-database.js';

describe.each(testBackends())('hmas CLI (%s)', { timeout: 120_000 }, (backend) => {
  let dataDir: string;
  let database: TestDatabase | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-cli-'));
    env = { HMAS_DATA_DIR: dataDir, HMAS_LOG_LEVEL: 'warn' };
    if (backend === 'postgres') {
      database = await createTestDatabase('postgres', { migrate: false });
      await database.handle.close();
      env.DATABASE_URL = database.url!;
    }
  });
  afterAll(async () => {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints help for every command', async () => {
    const top = await runCli(['--help'], { env });
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/server[\s\S]*migrate[\s\S]*users/);
    const usersHelp = await runCli(['users', '--help'], { env });
    for (const command of ['create', 'list', 'passwd']) expect(usersHelp.stdout).toContain(command);
    const createHelp = await runCli(['users', 'create', '--help'], { env });
    expect(createHelp.stdout).toContain('--password-stdin');
  });

  it('migrates once, then says the database is up to date', async () => {
    const first = await runCli(['migrate'], { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration/);
    const second = await runCli(['migrate'], { env });
    expect(second.stdout).toContain('up to date');
  });

  it('creates, lists and re-passwords users; the new password signs in on the server', async () => {
    const created = await runCli(['users', 'create', 'carol', '--role', 'operator', '--password-stdin'], { env, input: 'carol-first-password\n' });
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('Created user carol (operator)');

    const duplicate = await runCli(['users', 'create', 'carol', '--password-stdin'], { env, input: 'another-password\n' });
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already taken');

    const badRole = await runCli(['users', 'create', 'dave', '--role', 'root', '--password-stdin'], { env, input: 'dave-password\n' });
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toMatch(/root/);

    const shortPassword = await runCli(['users', 'create', 'erin', '--password-stdin'], { env, input: 'short\n' });
    expect(shortPassword.code).toBe(1);
    expect(shortPassword.stderr).toContain('at least 8');

    const passwd = await runCli(['users', 'passwd', 'carol', '--password-stdin'], { env, input: 'carol-second-password\n' });
    expect(passwd.stdout).toContain('Password of carol changed');

    const listed = await runCli(['users', 'list', '--json'], { env });
    const users = JSON.parse(listed.stdout) as Array<{ username: string; role: string }>;
    expect(users).toContainEqual(expect.objectContaining({ username: 'carol', role: 'operator' }));
    const listedWithOutput = await runCli(['--output', 'json', 'users', 'list'], { env });
    expect(JSON.parse(listedWithOutput.stdout)).toEqual(users);

    const server = await startServerProcess({ ...env, HMAS_ADMIN_PASSWORD: 'admin-password-cli' });
    try {
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'carol', password: 'carol-second-password' }),
      });
      expect(login.status).toBe(200);
      if (backend === 'pglite') {
        // The embedded database serves one process: the CLI says so instead of corrupting it.
        const locked = await runCli(['users', 'list'], { env });
        expect(locked.code).toBe(1);
        expect(locked.stderr).toMatch(/Another H-MAS process \(pid \d+\)[\s\S]*stop the server first/);
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('refuses invalid configuration with a message naming the variable', async () => {
    const result = await runCli(['migrate'], { env: { ...env, HMAS_PORT: 'not-a-port' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HMAS_PORT');
  });
});
