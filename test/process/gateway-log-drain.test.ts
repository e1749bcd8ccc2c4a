import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { startServerProcess, type ServerProcess } from '../support/cli-process.js';

// The request log is written in batches off the request path; a graceful stop must not lose
// what was buffered. The flush interval is set far beyond the test, so only the drain on
// SIGTERM can have written the rows.
describe('inference request log on shutdown', { timeout: 120_000 }, () => {
  let dir: string | undefined;
  let server: ServerProcess | undefined;
  afterEach(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    await server?.exited;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has every request answered before SIGTERM in the table after the process exits', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-log-drain-'));
    const dataDir = path.join(dir, 'data');
    server = await startServerProcess({
      HMAS_DATA_DIR: dataDir,
      HMAS_ADMIN_PASSWORD: 'admin-password-drain',
      HMAS_LOG_LEVEL: 'warn',
      HMAS_INFERENCE_LOG_FLUSH_MS: '600000',
      HMAS_RATE_LIMIT_RPM: '0',
    });
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-password-drain' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}` };

    const answered: Array<{ id: string; status: number }> = [];
    for (let i = 0; i < 30; i += 1) {
      const url = i % 3 === 0 ? '/v1/models' : `/api/inference/missing-${i}/v1/chat/completions`;
      const response = await fetch(`${server.url}${url}`, { method: i % 3 === 0 ? 'GET' : 'POST', headers: { ...headers, 'content-type': 'application/json' }, ...(i % 3 === 0 ? {} : { body: '{}' }) });
      await response.arrayBuffer();
      answered.push({ id: response.headers.get('x-request-id')!, status: response.status });
    }
    expect(new Set(answered.map((answer) => answer.status))).toEqual(new Set([200, 404]));

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const database = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'db') });
    try {
      const rows = await database.transaction((session) => session.query<{ request_id: string; status_code: number }>('SELECT request_id, status_code FROM inference_logs'));
      const stored = new Map(rows.map((row) => [row.request_id, row.status_code]));
      for (const answer of answered) expect(stored.get(answer.id), answer.id).toBe(answer.status);
    } finally {
      await database.close();
    }
  });
});
