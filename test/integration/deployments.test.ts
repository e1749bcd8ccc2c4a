import { readFile, rm, truncate } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { isNotServing } from '../support/not-serving.js';
import { modelDirForRuntimes, TINY_MODEL_ANSWER, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';
import { untilRouted } from '../support/until-routed.js';
import type { DeploymentBody } from '../support/deployment-body.js';

// The deployment lifecycle on the local host with H-MAS's embedded llama.cpp runtime and a
// model generated at test time: real processes, real HTTP.
describe.each(testBackends())('deployments on the local host (%s)', { timeout: 180_000 }, (backend) => {
  let t: TestApp;
  let dir: string;
  let headers: { authorization: string };
  let modelId: string;

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const get = async (id: string) => (await call('GET', `/api/deployments/${id}`)).json<DeploymentBody>();
  const waitForDeployment = (id: string, done: (d: DeploymentBody) => boolean, what: string, timeoutMs = 90_000): Promise<DeploymentBody> =>
    waitFor(what, async () => { const deployment = await get(id); return done(deployment) ? deployment : undefined; }, { timeoutMs, pollMs: 250, describe: () => get(id) });
  /** The token of the replica behind `endpoint`, from the local driver's state (only the gateway knows it). */
  const tokenOf = async (name: string, endpoint: string): Promise<string | null> => {
    const state = JSON.parse(await readFile(path.join(t.config.dataDir, 'workloads', name, 'state.json'), 'utf8')) as { replicas: Array<{ port: number; token: string | null }> };
    return state.replicas.find((replica) => endpoint.includes(`:${replica.port}/`))?.token ?? null;
  };
  const registerModel = async (file: string, name: string) => {
    const response = await call('POST', '/api/models', { localPath: file, name });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  };

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-deploy-');
    t = await createTestApp(backend, { HMAS_RECONCILE_INTERVAL_MS: '1000' });
    t.loops.startAll();
    headers = await t.admin();
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    modelId = await registerModel(path.join(dir, 'tiny.gguf'), 'tiny-chat');
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('deploys, serves, pauses, refuses changes while paused, resumes, scales, dry-runs and deletes', async () => {
    const created = await call('POST', '/api/deployments', {
      name: 'lifecycle',
      modelId,
      cluster: 'local',
      runtime: 'embedded-llamacpp',
      replicas: 1,
      optimization: { tier2: { threads: 1 } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<DeploymentBody>();
    expect(['pending', 'deploying']).toContain(created.json<DeploymentBody>().status);

    const running = await waitForDeployment(id, (d) => d.status === 'running', 'running');
    expect(running).toMatchObject({ statusSource: 'live', readyReplicas: 1 });
    expect(running.endpoints).toHaveLength(1);

    // Only the gateway gets in: the replica refuses a request without its token.
    const request = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'lifecycle', messages: [{ role: 'user', content: 'Say hello' }], temperature: 0 }) };
    expect((await fetch(`${running.endpoints[0]}/chat/completions`, request)).status).toBe(401);
    const completion = await untilRouted(
      'lifecycle',
      () => t.app.inject({ method: 'POST', url: '/api/inference/lifecycle/v1/chat/completions', headers: { ...headers, 'content-type': 'application/json' }, payload: request.body }),
      (answer) => answer.statusCode,
    );
    const answer = completion.json<{ choices: Array<{ message: { content: string } }>; usage: { completion_tokens: number } }>();
    expect(answer.choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);
    expect(answer.usage.completion_tokens).toBeGreaterThan(0);
    // The runtime answers to the deployment's name, so OpenAI clients can say model: "lifecycle".
    const listed = (await t.app.inject({ method: 'GET', url: '/api/inference/lifecycle/v1/models', headers })).json<{ data: Array<{ id: string }> }>();
    expect(listed.data.map((model) => model.id)).toEqual(['lifecycle']);
    const firstToken = await tokenOf('lifecycle', running.endpoints[0]!);
    expect(await isNotServing(running.endpoints[0]!, 'lifecycle', firstToken)).toBe(false);

    const paused = await call('POST', `/api/deployments/${id}/pause`);
    expect(paused.json()).toMatchObject({ status: 'paused', endpoints: [] });
    expect(await isNotServing(running.endpoints[0]!, 'lifecycle', firstToken)).toBe(true);
    const refused = await call('PATCH', `/api/deployments/${id}`, { replicas: 2 });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('DEPLOYMENT_PAUSED');
    expect((await call('POST', `/api/deployments/${id}/pause`)).statusCode).toBe(409);

    expect((await call('POST', `/api/deployments/${id}/resume`)).json()).toMatchObject({ status: 'deploying' });
    await waitForDeployment(id, (d) => d.status === 'running', 'running after resume');

    const dryRun = await call('PATCH', `/api/deployments/${id}?dryRun=true`, { replicas: 2 });
    expect(dryRun.statusCode, dryRun.body).toBe(200);
    expect(dryRun.json()).toMatchObject({ dryRun: true, restartRequired: false, fit: { fits: true }, diff: [{ path: 'replicas', before: 1, after: 2 }] });
    expect((await get(id)).replicas).toBe(1);

    const restartDryRun = await call('PATCH', `/api/deployments/${id}?dryRun=true`, { optimization: { tier1: { maxModelLength: 512 }, tier2: { threads: 1 } } });
    expect(restartDryRun.json()).toMatchObject({ restartRequired: true, strategy: 'RollingUpdate' });

    const scaled = await call('PATCH', `/api/deployments/${id}`, { replicas: 2 });
    expect(scaled.statusCode, scaled.body).toBe(200);
    const two = await waitForDeployment(id, (d) => d.readyReplicas === 2 && d.status === 'running', 'two ready replicas');
    expect(new Set(two.endpoints).size).toBe(2);
    const twoTokens = await Promise.all(two.endpoints.map((endpoint) => tokenOf('lifecycle', endpoint)));

    const modelInUse = await call('DELETE', `/api/models/${modelId}`);
    expect(modelInUse.statusCode).toBe(409);
    expect(modelInUse.json().error.code).toBe('MODEL_IN_USE');

    expect((await call('DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/deployments/${id}`)).statusCode).toBe(404);
    for (const [index, endpoint] of two.endpoints.entries()) expect(await isNotServing(endpoint, 'lifecycle', twoTokens[index])).toBe(true);

    const events = await call('GET', '/api/audit-logs?action=deployment.', undefined);
    expect(events.json<{ items: Array<{ action: string }> }>().items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['deployment.create', 'deployment.pause', 'deployment.resume', 'deployment.update', 'deployment.delete']),
    );
  });

  it('ends failed with the reason and events when the runtime cannot load the model, and leaves no process', async () => {
    const file = path.join(dir, 'broken.gguf');
    await writeTinyModel(file);
    const brokenId = await registerModel(file, 'broken-chat');
    // The header was read at registration; now the weights are cut off.
    await truncate(file, 4096);
    const created = await call('POST', '/api/deployments', { name: 'broken', modelId: brokenId, cluster: 'local', runtime: 'embedded-llamacpp', optimization: { tier2: { threads: 1 } } });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<DeploymentBody>();
    const failed = await waitForDeployment(id, (d) => d.status === 'failed', 'failed');
    expect(failed.statusReason).toBe('CrashLoopBackOff');
    expect(failed.endpoints).toEqual([]);
    const events = await call('GET', `/api/deployments/${id}/events`);
    expect(events.json<{ items: Array<{ type: string; reason: string }> }>().items).toContainEqual(expect.objectContaining({ type: 'Warning' }));
    const logs = await call('GET', `/api/deployments/${id}/logs?tailLines=20`);
    expect(logs.statusCode).toBe(200);
    expect((await call('DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
  });

  it('refuses what cannot fit or cannot run here, with the numbers', async () => {
    const profile = await call('POST', '/api/resource-profiles', { name: 'one-gpu', gpuCount: 1, cpu: '4', memory: '16Gi' });
    const noGpu = await call('POST', '/api/deployments', { name: 'needs-gpu', modelId, cluster: 'local', runtime: 'llamacpp', resourceProfileId: profile.json().id });
    expect(noGpu.statusCode).toBe(409);
    expect(noGpu.json().error.code).toBe('INSUFFICIENT_GPU');
    expect(noGpu.json().error.message).toMatch(/1 replica\(s\) × 1 GPU = 1 GPUs.*local has 0 free/);

    const wrongFormat = await call('POST', '/api/deployments', { name: 'wrong-format', modelId, cluster: 'local', runtime: 'tei' });
    expect(wrongFormat.statusCode).toBe(400);
    expect(wrongFormat.json().error.code).toBe('RUNTIME_MODEL_MISMATCH');

    const agent = await call('POST', '/api/clusters', { name: 'behind-nat', connection: { kind: 'agent' } });
    expect(agent.statusCode).toBe(201);
    const unsupported = await call('POST', '/api/deployments', { name: 'on-agent', modelId, cluster: 'behind-nat', runtime: 'embedded-llamacpp' });
    expect(unsupported.statusCode).toBe(409);
    expect(unsupported.json().error.code).toBe('CLUSTER_KIND_NOT_SUPPORTED');

    const both = await call('POST', '/api/deployments', { name: 'both', modelId, runtime: 'embedded-llamacpp' });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.message).toContain('exactly one of cluster');
  });
});
