import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDriver, type LocalDriver } from '../../src/clusters/local/local-driver.js';
import { renderWorkloadSpec } from '../../src/domain/workload.js';
import { fakeRuntime, fakeRuntimeProgram } from '../support/fake-runtime.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { modelDirForRuntimes, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';
import { untilRouted } from '../support/until-routed.js';

// A replica on the local host answers only requests that carry its own token, which only the
// gateway knows: other processes on the host cannot reach the model past the gateway's keys,
// limits and request log. The token is kept (0600) so adopted replicas stay reachable, and it
// appears in no status, endpoint list, event or log. Real processes, real HTTP; PGlite only
// (nothing here depends on the database backend).

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const TIMING = { healthIntervalMs: 100, readyCheckIntervalMs: 500, stopGraceMs: 3000 };

async function statusOf(url: string, authorization?: string): Promise<number> {
  const response = await fetch(url, authorization === undefined ? {} : { headers: { authorization } });
  await response.arrayBuffer();
  return response.status;
}

describe('local replica token (driver)', { timeout: 60_000 }, () => {
  let dataDir: string;
  let driver: LocalDriver;
  const make = () => createLocalDriver({ dataDir, logger, env: process.env, selfCommand: null, timing: TIMING, gpuIndices: async () => [] });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-replica-token-'));
    driver = make();
    await driver.start();
  });
  afterAll(async () => {
    if (driver) {
      for (const summary of await driver.list()) await driver.remove(summary.name);
      await driver.close();
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts each replica with its own token, refuses requests without it, and keeps it across a server restart', async () => {
    const program = await fakeRuntimeProgram();
    const { spec } = renderWorkloadSpec({
      deployment: { id: 'd-token', name: 'token', replicas: 2 },
      model: { name: 'm', localPath: '/models/m.gguf' },
      runtime: fakeRuntime(program, {}, { apiKeyEnv: 'FAKE_RUNTIME_API_KEY' }),
    });
    expect(spec.apiKeyEnv).toBe('FAKE_RUNTIME_API_KEY');
    await driver.apply(spec);
    // The fake refuses /health without the key too: ready means the driver's checks send it.
    const upstreams = await waitFor('two ready replicas', async () => {
      const found = await driver.upstreams('token');
      return found.length === 2 ? found : undefined;
    });
    const tokens = upstreams.map((upstream) => upstream.token);
    expect(tokens.every((token) => token !== null && /^[A-Za-z0-9_-]{43}$/.test(token))).toBe(true);
    expect(new Set(tokens).size).toBe(2);

    for (const [index, upstream] of upstreams.entries()) {
      const models = `${upstream.url}/models`;
      expect(await statusOf(models)).toBe(401);
      expect(await statusOf(models, 'Bearer wrong')).toBe(401);
      expect(await statusOf(models, `Bearer ${tokens[1 - index]}`)).toBe(401);
      expect(await statusOf(models, `Bearer ${upstream.token}`)).toBe(200);
    }

    // Nowhere a user or a log reader looks: status, endpoints, events, logs, argv.
    const shown = JSON.stringify([await driver.status('token'), await driver.endpoints('token'), await driver.events('token'), await driver.logs('token')]);
    const status = (await driver.status('token'))!;
    for (const token of tokens) {
      expect(shown).not.toContain(token);
      for (const replica of status.replicaStatuses) expect(await readFile(`/proc/${replica.pid}/cmdline`, 'utf8')).not.toContain(token!);
    }
    const stateFile = path.join(dataDir, 'workloads', 'token', 'state.json');
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);

    // A new server adopts the running replicas and reaches them with the kept tokens.
    await driver.close();
    driver = make();
    await driver.start();
    const adopted = await waitFor('adopted replicas ready', async () => {
      const found = await driver.upstreams('token');
      return found.length === 2 ? found : undefined;
    });
    expect(adopted).toEqual(upstreams);
    expect((await driver.status('token'))!.replicaStatuses.map((replica) => replica.pid)).toEqual(status.replicaStatuses.map((replica) => replica.pid));
    for (const upstream of adopted) expect(await statusOf(`${upstream.url}/models`, `Bearer ${upstream.token}`)).toBe(200);
  });
});

describe('local replica token (through the server)', { timeout: 180_000 }, () => {
  let t: TestApp;
  let dir: string;
  let admin: { authorization: string };
  let base: string;

  const deploy = async (name: string, runtime: string, modelId: string) => {
    const created = await t.app.inject({ method: 'POST', url: '/api/deployments', headers: admin, payload: { name, modelId, cluster: 'local', runtime, replicas: 1, optimization: { tier2: { threads: 1 } } } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;
    const deployment = await waitFor(
      `${name} running`,
      async () => {
        const found = (await t.app.inject({ method: 'GET', url: `/api/deployments/${id}`, headers: admin })).json<{ status: string; replicas?: unknown }>();
        return found.status === 'running' ? found : undefined;
      },
      { timeoutMs: 120_000 },
    );
    const state = JSON.parse(await readFile(path.join(t.config.dataDir, 'workloads', name, 'state.json'), 'utf8')) as { replicas: Array<{ port: number; token: string }> };
    const [replica] = state.replicas;
    return { id, deployment, port: replica!.port, token: replica!.token };
  };

  /** Everything a user can read about a deployment, as text. */
  const shownOf = async (id: string) => {
    const parts = [];
    for (const suffix of ['', '/events', '/logs']) parts.push((await t.app.inject({ method: 'GET', url: `/api/deployments/${id}${suffix}`, headers: admin })).body);
    parts.push((await t.app.inject({ method: 'GET', url: '/api/deployments', headers: admin })).body);
    parts.push((await t.app.inject({ method: 'GET', url: '/api/inference-logs?limit=500', headers: admin })).body);
    return parts.join('\n');
  };

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-replica-token-app-');
    // The fake stands in for llama-server: it takes llama-server's arguments and its LLAMA_API_KEY.
    const wrapper = path.join(dir, 'llama-server');
    await writeFile(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${await fakeRuntimeProgram()}" "$@"\n`);
    await chmod(wrapper, 0o755);
    t = await createTestApp('pglite', { HMAS_RUNTIME_BIN_LLAMACPP: wrapper, HMAS_RECONCILE_INTERVAL_MS: '1000', HMAS_RATE_LIMIT_RPM: '0', HMAS_INFERENCE_LOG_FLUSH_MS: '50' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
    admin = await t.admin();
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a llama.cpp replica refuses direct requests; the gateway gets in; the token is shown nowhere', async () => {
    const model = await t.app.inject({ method: 'POST', url: '/api/models', headers: admin, payload: { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-fake' } });
    expect(model.statusCode, model.body).toBe(201);
    const { id, port, token } = await deploy('fake-llama', 'llamacpp', model.json<{ id: string }>().id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await statusOf(`http://127.0.0.1:${port}/v1/models`)).toBe(401);
    const viaGateway = await untilRouted('fake-llama', () => fetch(`${base}/api/inference/fake-llama/v1/models`, { headers: admin }), (answer) => answer.status);
    expect(viaGateway.status, await viaGateway.clone().text()).toBe(200);
    await viaGateway.arrayBuffer();
    const requestId = viaGateway.headers.get('x-request-id')!;
    await waitFor('the request logged', async () => ((await shownOf(id)).includes(requestId) ? true : undefined));
    expect(await shownOf(id)).not.toContain(token);
  });

  it('an embedded runtime replica refuses direct requests but its health check and metrics; the gateway gets in', async () => {
    const model = await t.app.inject({ method: 'POST', url: '/api/models', headers: admin, payload: { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-embedded' } });
    expect(model.statusCode, model.body).toBe(201);
    const { id, port, token } = await deploy('tiny-token', 'embedded-llamacpp', model.json<{ id: string }>().id);
    const chat = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'Say hello' }] }) };
    const direct = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, chat);
    expect(direct.status).toBe(401);
    expect(await direct.json()).toEqual({ error: { message: 'Invalid API Key', type: 'authentication_error', param: null, code: 'invalid_api_key' } });
    // Metrics carry no prompts: Prometheus scrapes them without the replica's token (docs/monitoring.md).
    expect(await statusOf(`http://127.0.0.1:${port}/metrics`)).toBe(200);
    expect(await statusOf(`http://127.0.0.1:${port}/health`)).toBe(200);
    const viaGateway = await untilRouted('tiny-token', () => fetch(`${base}/api/inference/tiny-token/v1/chat/completions`, { ...chat, headers: { ...chat.headers, ...admin } }), (answer) => answer.status);
    expect(viaGateway.status, await viaGateway.clone().text()).toBe(200);
    await viaGateway.arrayBuffer();
    expect(await shownOf(id)).not.toContain(token);
  });
});
