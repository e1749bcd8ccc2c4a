import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess, type ServerProcess } from '../support/cli-process.js';
import { modelDirForRuntimes, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';

interface EventJson {
  type: string;
  reason: string;
  message: string;
  count: number;
  involvedObject: { kind: string; name: string };
  lastTimestamp?: string;
  lastSeen?: string;
}

// `hmas events` against a real server process: a deployment whose runtime program is missing
// (BinaryNotFound, a Warning) gives real events, live from the local driver and copied into the
// history by the server's event-copy loop (every second here).
describe('hmas events against a running server', { timeout: 180_000 }, () => {
  let dir: string;
  let server: ServerProcess;
  let env: Record<string, string>;
  const cli = (args: string[]) => runCli(args, { env, timeoutMs: 60_000 });
  const json = async (args: string[]) => {
    const result = await cli(['-o', 'json', ...args]);
    expect(result.stderr, args.join(' ')).toBe('');
    return JSON.parse(result.stdout) as EventJson[];
  };

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-cli-events-');
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    server = await startServerProcess({
      HMAS_DATA_DIR: path.join(dir, 'data'),
      HMAS_ADMIN_PASSWORD: 'admin-password-events',
      HMAS_LOG_LEVEL: 'warn',
      HMAS_RECONCILE_INTERVAL_MS: '1000',
      HMAS_EVENT_COPY_INTERVAL_MS: '1000',
      HMAS_RUNTIME_BIN_LLAMACPP: path.join(dir, 'no-llama-server'),
    });
    env = { HMAS_SERVER: server.url, HMAS_CREDENTIALS_FILE: path.join(dir, 'credentials.json') };
    expect((await runCli(['login', '--password-stdin'], { env, input: 'admin-password-events\n' })).code).toBe(0);
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-password-events' }) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const model = await fetch(`${server.url}/api/models`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-chat' }),
    });
    expect(model.status).toBe(201);
    expect((await cli(['deploy', 'tiny-chat', '--name', 'no-binary', '--runtime', 'llamacpp'])).code).toBe(0);
  });
  afterAll(async () => {
    await cli(['rm', 'no-binary']).catch(() => undefined);
    server?.child.kill('SIGTERM');
    await server?.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the live events, oldest first, and only those since a time', async () => {
    const live = await waitFor('the BinaryNotFound event', async () => {
      const events = await json(['events', 'no-binary']);
      return events.some((event) => event.reason === 'BinaryNotFound') ? events : undefined;
    });
    expect(live[0]).toMatchObject({ type: 'Normal', reason: 'Created', involvedObject: { kind: 'Workload', name: 'no-binary' } });
    expect(live.map((event) => event.lastTimestamp)).toEqual([...live.map((event) => event.lastTimestamp)].sort());
    expect(await json(['events', 'no-binary', '--since', '24h'])).toEqual(expect.arrayContaining(live));
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await json(['events', 'no-binary', '--since', future])).toEqual([]);

    const table = await cli(['events', 'no-binary']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+COUNT\s+MESSAGE/);
    expect(table.stdout).toMatch(/Warning\s+BinaryNotFound\s+replica\/no-binary-/);
  });

  it('prints the history the server copied, filtered by type and time', async () => {
    const history = await waitFor('the copied BinaryNotFound event', async () => {
      const events = await json(['events', 'no-binary', '--history']);
      return events.some((event) => event.reason === 'BinaryNotFound') ? events : undefined;
    });
    expect(history.map((event) => event.lastSeen)).toEqual([...history.map((event) => event.lastSeen)].sort());
    expect(history.find((event) => event.reason === 'Created')).toMatchObject({ type: 'Normal', count: 1, involvedObject: { kind: 'Workload', name: 'no-binary' } });
    const warnings = await json(['events', 'no-binary', '--history', '--type', 'Warning', '--since', '1d']);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((event) => event.type === 'Warning')).toBe(true);
    expect(await json(['events', 'no-binary', '--history', '--limit', '1'])).toEqual([history.at(-1)]);
    const table = await cli(['events', 'no-binary', '--history']);
    expect(table.stdout).toMatch(/Normal\s+Created\s+workload\/no-binary\s+1\s+Created workload no-binary/);
  });

  it('names a bad --since, a --type without --history and a missing deployment', async () => {
    const badSince = await cli(['events', 'no-binary', '--since', 'yesterday']);
    expect(badSince.code).toBe(1);
    expect(badSince.stderr).toContain('"yesterday" is not a duration (90s, 30m, 24h, 7d)');
    const typeLive = await cli(['events', 'no-binary', '--type', 'Warning']);
    expect(typeLive.code).toBe(1);
    expect(typeLive.stderr).toContain('--type filters the history: add --history.');
    const badType = await cli(['events', 'no-binary', '--history', '--type', 'Error']);
    expect(badType.code).toBe(1);
    expect(badType.stderr).toContain('Allowed choices are Normal, Warning');
    const missing = await cli(['events', 'nothing-here']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No deployment named "nothing-here"');
  });
});
