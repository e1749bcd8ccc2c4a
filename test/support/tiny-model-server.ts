import { rm } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { startServerProcess, type ServerProcess } from './cli-process.js';
import { modelDirForRuntimes, writeTinyModel } from './tiny-model.js';
import { waitFor } from './wait-for.js';

/**
 * A real server process signed in as admin, with the tiny test model on disk, for process tests
 * that run a deployment of it on the embedded runtime: `deploy` waits until it runs, `close`
 * removes it (replicas outlive the server by design), stops the server and removes the files.
 */
export interface TinyModelServer {
  server: ServerProcess;
  /** A call to the control API with the admin's token. */
  api(method: string, url: string, body?: unknown): Promise<Response>;
  /** The JSON body of `response`, once its status is `status` (else the test fails with the body). */
  json<T>(response: Response, status: number): Promise<T>;
  /** Registers the tiny model as `model` and deploys it as `name` (one replica, one thread); resolves with its id once running. */
  deploy(name: string, model: string): Promise<string>;
  /** Sends a chat request to `name` through the gateway with `key`. */
  chat(name: string, key: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startTinyModelServer(options: { prefix: string; env?: Record<string, string> }): Promise<TinyModelServer> {
  const dir = await modelDirForRuntimes(options.prefix);
  const password = 'admin-password-tiny-model';
  const deployments: string[] = [];
  const json = async <T>(response: Response, status: number): Promise<T> => {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    return JSON.parse(text) as T;
  };
  let running: ServerProcess | undefined;
  let token: string;
  try {
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    running = await startServerProcess({
      HMAS_DATA_DIR: path.join(dir, 'data'),
      HMAS_ADMIN_PASSWORD: password,
      HMAS_LOG_LEVEL: 'warn',
      HMAS_RECONCILE_INTERVAL_MS: '1000',
      HMAS_RATE_LIMIT_RPM: '0',
      ...options.env,
    });
    const login = await fetch(`${running.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    token = (await json<{ accessToken: string }>(login, 200)).accessToken;
  } catch (error) {
    running?.child.kill('SIGTERM');
    await running?.exited;
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const server = running;
  const api = async (method: string, url: string, body?: unknown) =>
    fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  return {
    server,
    api,
    json,
    async deploy(name, model) {
      const registered = await json<{ id: string }>(await api('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: model }), 201);
      const { id } = await json<{ id: string }>(
        await api('POST', '/api/deployments', { name, modelId: registered.id, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 1, optimization: { tier2: { threads: 1 } } }),
        201,
      );
      deployments.push(id);
      await waitFor(`${name} running`, async () => ((await json<{ status: string }>(await api('GET', `/api/deployments/${id}`), 200)).status === 'running' ? true : undefined), {
        timeoutMs: 150_000,
        pollMs: 500,
      });
      return id;
    },
    chat: (name, key) =>
      fetch(`${server.url}/api/inference/${name}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], temperature: 0 }),
      }),
    async close() {
      for (const id of deployments) await api('DELETE', `/api/deployments/${id}`).catch(() => undefined);
      server.child.kill('SIGTERM');
      await server.exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
