import { expect } from 'vitest';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createTestApp, type TestApp } from './test-app.js';
import type { Backend } from './test-database.js';
import type { DeploymentBody } from './deployment-body.js';
import { modelDirForRuntimes, TINY_MODEL_ANSWER, writeTinyModel } from './tiny-model.js';
import { waitFor } from './wait-for.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** The embedded runtime on one thread: the machine's cores are shared with other suites. */
export const ONE_THREAD = { tier2: { threads: 1 } };

/** A rollout as the suites read it (GET /api/deployments/:id/rollout and /rollouts). */
export interface RolloutBody {
  id: string;
  cause: string;
  state: string;
  reason: string | null;
  message: string;
  rollbackOf: string | null;
  previousConfig: { optimization: unknown; replicas: number };
  targetConfig: { optimization: unknown; replicas: number };
  progress?: { desired: number; updated: number; ready: number; old: number; reason: string | null } | null;
}

/** A config history entry as the suites read it (GET /api/deployments/:id/config-history). */
export interface HistoryBody {
  id: string;
  cause: string;
  rolloutId: string | null;
  before: { optimization: unknown; replicas: number; optimizationPresetId?: string | null } | null;
  after: { optimization: unknown; replicas: number; optimizationPresetId?: string | null };
}

/** Calls of the deployment suites on the local host, as `headers`' user, through app.inject. */
export function deploymentCalls(t: TestApp, headers: { authorization: string }) {
  const call = async (method: Method, url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const get = async (id: string) => (await call('GET', `/api/deployments/${id}`)).json<DeploymentBody & { optimization: unknown }>();
  const rollout = async (id: string) => (await call('GET', `/api/deployments/${id}/rollout`)).json<RolloutBody>();
  const rollouts = async (id: string) => (await call('GET', `/api/deployments/${id}/rollouts`)).json<{ items: RolloutBody[]; total: number }>();
  const history = async (id: string) => (await call('GET', `/api/deployments/${id}/config-history`)).json<{ items: HistoryBody[]; total: number }>();

  return {
    call,
    get,
    rollout,
    rollouts,
    history,
    waitForDeployment: (id: string, done: (d: DeploymentBody) => boolean, what: string, timeoutMs = 90_000) =>
      waitFor(what, async () => {
        const deployment = await get(id);
        return done(deployment) ? deployment : undefined;
      }, { timeoutMs, pollMs: 250, describe: () => get(id) }),

    /** Deploys the tiny model with the embedded runtime and waits until it runs. */
    async deploy(name: string, modelId: string): Promise<string> {
      const created = await call('POST', '/api/deployments', { name, modelId, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 1, optimization: ONE_THREAD });
      expect(created.statusCode, created.body).toBe(201);
      const { id } = created.json<DeploymentBody>();
      await waitFor(`${name} running`, async () => ((await get(id)).status === 'running' ? true : undefined), { timeoutMs: 90_000, pollMs: 250, describe: () => get(id) });
      return id;
    },

    /**
     * Asks the deployment a question through the gateway and checks the tiny model's answer.
     * Just after a rollout the gateway's route table (reloaded every second) may still be empty
     * (503: asked again then) or name the replica that was replaced: the gateway reloads its
     * routes when that replica refuses the connection and answers from the new one, so a 502
     * here fails the test.
     */
    async expectChatAnswer(name: string): Promise<void> {
      const send = () =>
        t.app.inject({
          method: 'POST',
          url: `/api/inference/${name}/v1/chat/completions`,
          headers: { ...headers, 'content-type': 'application/json' },
          payload: JSON.stringify({ model: name, messages: [{ role: 'user', content: 'Say hello' }], temperature: 0 }),
        });
      const answer = await waitFor(`${name} to answer through the gateway`, async () => {
        const response = await send();
        return response.statusCode === 503 ? undefined : response;
      });
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json<{ choices: Array<{ message: { content: string } }> }>().choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);
    },

    /**
     * Runs the rollout monitor with its clock past every startup grace until the rollout
     * `which` picks satisfies `done` (no sleeping through the grace).
     */
    async monitorUntil(id: string, done: (rollouts: RolloutBody[]) => boolean, what: string, timeoutMs = 90_000): Promise<RolloutBody[]> {
      const pastGrace = () => new Date(Date.now() + 60 * 60_000);
      return waitFor(
        what,
        async () => {
          await t.rolloutWatch.check(pastGrace());
          const { items } = await rollouts(id);
          return done(items) ? items : undefined;
        },
        { timeoutMs, pollMs: 250, describe: async () => ({ rollouts: (await rollouts(id)).items.slice(0, 3), current: await rollout(id) }) },
      );
    },

    /** Audit entries of one action (newest first). */
    async auditEntries(action: string): Promise<Array<{ action: string; summary: string; actorUsername: string | null; outcome: string; resourceId: string | null }>> {
      const page = await call('GET', `/api/audit-logs?action=${encodeURIComponent(action)}&limit=500`);
      expect(page.statusCode, page.body).toBe(200);
      return page.json<{ items: Array<{ action: string; summary: string; actorUsername: string | null; outcome: string; resourceId: string | null }> }>().items;
    },
  };
}

/**
 * What suites about running deployments on the local host start from: an app with its loops
 * running (reconcile every second), calls as admin, and the tiny model registered from `dir`.
 */
export async function tinyModelApp(backend: Backend, dirPrefix: string): Promise<{ t: TestApp; api: ReturnType<typeof deploymentCalls>; modelId: string; dir: string }> {
  const dir = await modelDirForRuntimes(dirPrefix);
  const t = await createTestApp(backend, { HMAS_RECONCILE_INTERVAL_MS: '1000' });
  t.loops.startAll();
  const api = deploymentCalls(t, await t.admin());
  await writeTinyModel(path.join(dir, 'tiny.gguf'));
  const model = await api.call('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-chat' });
  expect(model.statusCode, model.body).toBe(201);
  return { t, api, modelId: model.json<{ id: string }>().id, dir };
}

/** The settings of the preset {@link tinyModelAppWithPreset} stores: a short context, one thread. */
export const SHORT_CONTEXT_PRESET = { tier1: { maxModelLength: 512 }, tier2: { threads: 1 } };

export type TinyPresetApp = Awaited<ReturnType<typeof tinyModelApp>> & { presetId: string };

/** {@link tinyModelApp}, with a stored `embedded-llamacpp` preset `short-context` ({@link SHORT_CONTEXT_PRESET}). */
export async function tinyModelAppWithPreset(backend: Backend, dirPrefix: string): Promise<TinyPresetApp> {
  const app = await tinyModelApp(backend, dirPrefix);
  const preset = await app.api.call('POST', '/api/optimization-presets', { name: 'short-context', runtime: 'embedded-llamacpp', optimization: SHORT_CONTEXT_PRESET });
  expect(preset.statusCode, preset.body).toBe(201);
  return { ...app, presetId: preset.json<{ id: string }>().id };
}

/** Closes what {@link tinyModelApp} started (a suite's afterAll; `app` undefined when its beforeAll failed early). */
export async function closeTinyModelApp(app: { t: TestApp; dir: string } | undefined): Promise<void> {
  await app?.t.close();
  if (app) await rm(app.dir, { recursive: true, force: true });
}
