import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess, type ServerProcess } from '../support/cli-process.js';

const VALUE = 'hf_cli_value_0123456789';

// `hmas secret` against a real server process: values go in through stdin or a file, never
// through arguments, and no command prints them.
describe('hmas secret against a running server', { timeout: 120_000 }, () => {
  let dataDir: string;
  let server: ServerProcess;
  let env: Record<string, string>;
  const cli = (args: string[], input?: string) => runCli(args, { env, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-cli-secrets-'));
    server = await startServerProcess({ HMAS_DATA_DIR: dataDir, HMAS_ADMIN_PASSWORD: 'admin-password-secrets', HMAS_LOG_LEVEL: 'info' });
    env = { HMAS_SERVER: server.url, HMAS_CREDENTIALS_FILE: path.join(dataDir, 'cli', 'credentials.json'), HMAS_DATA_DIR: dataDir };
    const login = await cli(['login', '--username', 'admin', '--password-stdin'], 'admin-password-secrets\n');
    expect(login.stdout).toContain('Signed in');
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates from stdin, rotates from a file, lists and removes — printing no value', async () => {
    const refused = await cli(['secret', 'create', 'hf-token']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--from-stdin or --value-file');

    const created = await cli(['secret', 'create', 'hf-token', '--from-stdin', '--description', 'Hub token'], `${VALUE}\n`);
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('hf-token');

    const file = path.join(dataDir, 'rotated.txt');
    await writeFile(file, 'hf_rotated_value\n', { mode: 0o600 });
    const rotated = await cli(['secret', 'rotate', 'hf-token', '--value-file', file]);
    expect(rotated.stderr).toBe('');

    const listed = await cli(['--output', 'json', 'secret', 'list']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'hf-token', description: 'Hub token', createdBy: 'admin', usedBy: [] })]);

    const removed = await cli(['secret', 'rm', 'hf-token']);
    expect(removed.stdout).toContain('Removed secret hf-token.');
    const gone = await cli(['secret', 'rm', 'hf-token']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('SECRET_NOT_FOUND');

    for (const result of [created, rotated, listed, removed]) expect(result.stdout + result.stderr).not.toMatch(/hf_cli_value|hf_rotated_value/);
    // The server's own log (info level: every request line) carries no value either.
    expect(server.output()).not.toMatch(/hf_cli_value|hf_rotated_value/);
  });
});
