// The steps the end-to-end deployment suites share (the Kubernetes node's and Karmada's): calls to
// the API as one user, a deployment read back until it reaches a state, chat through the gateway,
// each replica asked on its own address, and the two changes that break a deployment on purpose —
// a flag the embedded runtime refuses (crash loop) and a memory limit it cannot load the model in
// (OOM kill) — with what the API must report for each.
import { expect } from 'vitest';
import type { TestApp } from './test-app.js';
import { TINY_MODEL_ANSWER } from './tiny-model.js';
import { untilRouted } from './until-routed.js';
import { waitFor } from './wait-for.js';
import type { DeploymentBody } from './deployment-body.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type Injected = Awaited<ReturnType<TestApp['app']['inject']>>;

export interface DeploymentApi {
  call(method: Method, url: string, payload?: unknown): Promise<Injected>;
  get(id: string): Promise<DeploymentBody>;
  /** Polls GET /api/deployments/:id until `done`; on timeout the error shows the last answer. */
  waitForDeployment(id: string, done: (d: DeploymentBody) => boolean, what: string, timeoutMs?: number): Promise<DeploymentBody>;
  /** POST /api/inference/<name>/v1/chat/completions, once. */
  chat(name: string): Promise<Injected>;
  /** Chat through the gateway until it routes (no longer 503); expects the tiny model's sentence. */
  chatServes(name: string): Promise<void>;
}

export function deploymentApi(app: TestApp['app'], headers: { authorization: string }, defaults: { timeoutMs?: number } = {}): DeploymentApi {
  const call = (method: Method, url: string, payload?: unknown) => app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const get = async (id: string) => (await call('GET', `/api/deployments/${id}`)).json<DeploymentBody>();
  const chat = (name: string) =>
    app.inject({
      method: 'POST',
      url: `/api/inference/${name}/v1/chat/completions`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ model: name, messages: [{ role: 'user', content: 'Say hello' }], temperature: 0 }),
    });
  return {
    call,
    get,
    chat,
    waitForDeployment: (id, done, what, timeoutMs = defaults.timeoutMs ?? 150_000) =>
      waitFor(what, async () => { const deployment = await get(id); return done(deployment) ? deployment : undefined; }, { timeoutMs, pollMs: 500, describe: () => get(id) }),
    async chatServes(name) {
      const answer = await untilRouted(name, () => chat(name), (response) => response.statusCode);
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json<{ choices: Array<{ message: { content: string } }> }>().choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);
    },
  };
}

/** Asks one replica directly on `origin` (a pod's address), with `token` as bearer when given; answers the HTTP status and the content. */
async function askReplica(origin: string, model: string, token: string | null): Promise<{ status: number; content: string | undefined }> {
  const response = await fetch(`${origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token !== null ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello' }], temperature: 0 }),
  });
  const body = (await response.json().catch(() => ({}))) as { choices?: Array<{ message: { content: string } }> };
  return { status: response.status, content: body.choices?.[0]?.message.content };
}

/**
 * Each replica answers the tiny model's sentence on its own address — with `token` as bearer;
 * given a token, each also refuses a caller without it (401): only the gateway is given it.
 */
export async function eachReplicaServes(origins: readonly string[], model: string, token: string | null): Promise<void> {
  for (const origin of origins) {
    if (token !== null) expect((await askReplica(origin, model, null)).status, `${origin} without the replica token`).toBe(401);
    const answer = await askReplica(origin, model, token);
    expect(answer, origin).toEqual({ status: 200, content: TINY_MODEL_ANSWER });
  }
}

/** A change the embedded runtime refuses at start: every new replica exits at once. */
export const crashLoopingChange = { optimization: { tier2: { threads: 1 }, raw: { extraArgs: ['--no-such-flag'] } } };
/** A resource profile the runtime cannot load the tiny model in: the kernel kills it. */
export const oomProfile = { name: 'too-small', gpuCount: 0, cpu: '100m', memory: '24Mi' };

/**
 * Breaks a running deployment twice through PATCH and checks what the API reports: a crash loop
 * (CrashLoopBackOff with a message, and the crashed run's output in `logs?previous=true`), then
 * a memory limit that OOM-kills (OOMKilled). `optimization` is the deployment's own, put back
 * with the smaller profile so only the memory is wrong.
 */
export async function crashLoopsThenOomKills(api: DeploymentApi, id: string, optimization: Record<string, unknown>): Promise<{ crashing: DeploymentBody; killed: DeploymentBody }> {
  const broken = await api.call('PATCH', `/api/deployments/${id}`, crashLoopingChange);
  expect(broken.statusCode, broken.body).toBe(200);
  const crashing = await api.waitForDeployment(id, (d) => d.statusReason === 'CrashLoopBackOff', 'CrashLoopBackOff reported');
  expect(crashing.statusMessage).toBeTruthy();
  // The crashed run's output, as `kubectl logs --previous` gives it.
  const previous = await waitFor('the previous run\'s log', async () => {
    const logs = await api.call('GET', `/api/deployments/${id}/logs?previous=true&tailLines=50`);
    const lines = logs.statusCode === 200 ? logs.json<{ items: Array<{ lines: string[] }> }>().items.flatMap((item) => item.lines) : [];
    return lines.some((line) => line.includes('--no-such-flag')) ? lines : undefined;
  });
  expect(previous.join('\n')).toMatch(/unknown option/);

  const profile = await api.call('POST', '/api/resource-profiles', oomProfile);
  expect(profile.statusCode, profile.body).toBe(201);
  const squeezed = await api.call('PATCH', `/api/deployments/${id}`, { resourceProfileId: profile.json<{ id: string }>().id, optimization });
  expect(squeezed.statusCode, squeezed.body).toBe(200);
  const killed = await api.waitForDeployment(id, (d) => d.statusReason === 'OOMKilled' || /OOMKilled/.test(d.statusMessage), 'OOMKilled reported');
  return { crashing, killed };
}
