import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess, type ServerProcess } from '../support/cli-process.js';
import { isNotServing } from '../support/not-serving.js';
import { modelDirForRuntimes, TINY_MODEL_ANSWER, writeTinyModel } from '../support/tiny-model.js';
import { untilRouted } from '../support/until-routed.js';

interface Row {
  name: string;
  status: string;
  readyReplicas: number;
  replicas: number;
  endpoints: string[];
}

// End to end with real processes and real HTTP: the server, the CLI, and the embedded runtime
// serving a model generated here.
describe('deploying with the CLI against a running server', { timeout: 240_000 }, () => {
  let dir: string;
  let server: ServerProcess;
  let env: Record<string, string>;
  let token: string;
  const cli = (args: string[], input?: string) => runCli(args, { env, timeoutMs: 200_000, ...(input !== undefined ? { input } : {}) });
  const api = async (method: string, url: string, body?: unknown) =>
    fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const ps = async () => JSON.parse((await cli(['-o', 'json', 'ps'])).stdout) as Row[];

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-cli-deploy-');
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    server = await startServerProcess({ HMAS_DATA_DIR: path.join(dir, 'data'), HMAS_ADMIN_PASSWORD: 'admin-password-deploy', HMAS_LOG_LEVEL: 'warn', HMAS_RECONCILE_INTERVAL_MS: '1000', HMAS_RUNTIME_BIN_LLAMACPP: path.join(dir, 'no-llama-server') });
    env = { HMAS_SERVER: server.url, HMAS_CREDENTIALS_FILE: path.join(dir, 'credentials.json') };
    expect((await cli(['login', '--password-stdin'], 'admin-password-deploy\n')).code).toBe(0);
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-password-deploy' }),
    });
    token = ((await login.json()) as { accessToken: string }).accessToken;
    const model = await api('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-chat' });
    expect(model.status).toBe(201);
  });
  afterAll(async () => {
    // Replicas outlive the server by design: remove whatever a failed test left running.
    for (const row of await ps().catch(() => [] as Row[])) await cli(['rm', row.name]);
    server?.child.kill('SIGTERM');
    await server?.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('deploys and waits with progress, serves the fixed answer, pauses, resumes, scales and removes', async () => {
    const deployed = await cli(['deploy', 'tiny-chat', '--threads', '1', '--wait', '--timeout', '150']);
    expect(deployed.stderr).toBe('');
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain('Deployment tiny-chat created');
    expect(deployed.stdout).toMatch(/\] running 1\/1 ready/);

    const [row] = await ps();
    expect(row).toMatchObject({ name: 'tiny-chat', status: 'running', readyReplicas: 1 });
    // Through the gateway: replicas accept only its per-replica token.
    const chat = await untilRouted('tiny-chat', () => api('POST', '/v1/chat/completions', { model: 'tiny-chat', messages: [{ role: 'user', content: 'hi' }], temperature: 0 }), (answer) => answer.status);
    expect(chat.status).toBe(200);
    expect((await fetch(`${row!.endpoints[0]}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    const body = (await chat.json()) as { choices: Array<{ message: { content: string } }>; usage: { total_tokens: number } };
    expect(body.choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);
    expect(body.usage.total_tokens).toBeGreaterThan(0);

    const logs = await cli(['logs', 'tiny-chat', '--tail', '50']);
    expect(logs.code).toBe(0);

    expect((await cli(['pause', 'tiny-chat'])).stdout).toContain('Paused tiny-chat: its replicas stop');
    expect(await isNotServing(row!.endpoints[0]!, 'tiny-chat')).toBe(true);
    const id = ((await (await api('GET', '/api/deployments?q=tiny-chat')).json()) as { items: Array<{ id: string }> }).items[0]!.id;
    const refused = await api('PATCH', `/api/deployments/${id}`, { replicas: 2 });
    expect(refused.status).toBe(400);

    const resumed = await cli(['resume', 'tiny-chat']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('Resuming tiny-chat: starting 1 replica(s)');
    const dryRun = await api('PATCH', `/api/deployments/${id}?dryRun=true`, { replicas: 2 });
    expect(await dryRun.json()).toMatchObject({ dryRun: true, restartRequired: false });
    expect((await api('PATCH', `/api/deployments/${id}`, { replicas: 2 })).status).toBe(200);
    let two: Row | undefined;
    for (let i = 0; i < 300 && !(two?.readyReplicas === 2); i += 1) {
      two = (await ps())[0];
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(two).toMatchObject({ status: 'running', readyReplicas: 2 });

    // Resume with new settings: checked as PATCH (a preset of another runtime is refused), recorded.
    expect((await cli(['pause', 'tiny-chat'])).code).toBe(0);
    const mismatch = await cli(['resume', 'tiny-chat', '--preset', 'builtin:vllm:balanced']);
    expect(mismatch.code).not.toBe(0);
    expect(mismatch.stderr).toContain('is for vllm, not embedded-llamacpp');
    const fewer = await cli(['resume', 'tiny-chat', '--replicas', '1']);
    expect(fewer.code, fewer.stderr).toBe(0);
    expect(fewer.stdout).toContain('Resuming tiny-chat: starting 1 replica(s)');
    const history = (await (await api('GET', `/api/deployments/${id}/config-history`)).json()) as { items: Array<{ cause: string; after: { replicas: number } }> };
    expect(history.items[0]).toMatchObject({ cause: 'manual', after: { replicas: 1 } });

    expect((await cli(['rm', 'tiny-chat'])).stdout).toContain('Deleted deployment tiny-chat');
    expect(await ps()).toEqual([]);
    for (const endpoint of two!.endpoints) expect(await isNotServing(endpoint, 'tiny-chat')).toBe(true);
  });

  it('ends a wait for a deployment that cannot start with one readable failure line', async () => {
    const failed = await cli(['deploy', 'tiny-chat', '--name', 'no-binary', '--runtime', 'llamacpp', '--wait', '--timeout', '60']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^Failed: BinaryNotFound — .*no-llama-server.*[^.]\. See "hmas logs no-binary"\.$/m);
    expect((await cli(['rm', 'no-binary'])).code).toBe(0);
  });

  it('names a missing deployment and model clearly', async () => {
    const missing = await cli(['pause', 'nothing-here']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No deployment named "nothing-here"');
    const noModel = await cli(['deploy', 'no-such-model']);
    expect(noModel.stderr).toContain('No model named "no-such-model"');
  });
});
