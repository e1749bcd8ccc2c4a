import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { waitFor } from '../support/wait-for.js';
import { type deploymentCalls, tinyModelApp, ONE_THREAD, type RolloutBody } from '../support/deployment-calls.js';

// Rollouts on the local host with the embedded llama.cpp runtime and the tiny model: real
// processes. The rollout monitor's pass is run directly with its clock past the startup grace.

/** Settings whose runtime exits at start: `hmas runtime llama` refuses an unknown option. */
const badFlag = (flag = '--no-such-flag') => ({ ...ONE_THREAD, raw: { extraArgs: [flag] } });
/** Other good settings (a restart, and a different spec). */
const SHORT_CONTEXT = { tier1: { maxModelLength: 512 }, tier2: { threads: 1 } };

describe.each(testBackends())('rollouts (%s)', { timeout: 300_000 }, (backend) => {
  let t: TestApp;
  let dir: string;
  let api: ReturnType<typeof deploymentCalls>;
  let modelId: string;
  let id: string;
  const byId = (items: RolloutBody[], rolloutId: string) => items.find((item) => item.id === rolloutId);

  beforeAll(async () => {
    ({ t, api, modelId, dir } = await tinyModelApp(backend, 'hmas-rollouts-'));
    id = await api.deploy('steady', modelId);
    // A first start can take a while when other suites share the cores.
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('rolls back a change whose runtime crash-loops, after the grace, and the deployment answers with the old settings', async () => {
    const before = (await api.get(id)).optimization;
    expect((await api.call('GET', `/api/deployments/${id}/rollout`)).json().error.code).toBe('ROLLOUT_NOT_FOUND');

    const patched = await api.call('PATCH', `/api/deployments/${id}`, { optimization: badFlag() });
    expect(patched.statusCode, patched.body).toBe(200);
    const started = await api.rollout(id);
    expect(started).toMatchObject({ cause: 'manual', state: 'progressing', previousConfig: { optimization: before, replicas: 1 }, targetConfig: { optimization: badFlag() } });

    // The new replica crash-loops while the old one keeps serving (RollingUpdate).
    const looping = await waitFor('the new replica to crash-loop', async () => {
      const current = await api.rollout(id);
      return current.progress?.reason === 'CrashLoopBackOff' ? current : undefined;
    }, { timeoutMs: 90_000, pollMs: 250, describe: () => api.rollout(id) });
    expect(looping.progress).toMatchObject({ desired: 1, ready: 1, old: 1 });
    // Within the startup grace nothing is rolled back.
    await t.rolloutWatch.check(new Date());
    expect((await api.rollout(id)).state).toBe('progressing');

    const items = await api.monitorUntil(id, (list) => byId(list, started.id)?.state === 'rolled_back', 'the automatic rollback');
    expect(byId(items, started.id)).toMatchObject({ state: 'rolled_back', reason: 'CrashLoopBackOff' });
    const rollback = items[0]!;
    expect(rollback).toMatchObject({ cause: 'rollback', rollbackOf: started.id, targetConfig: { optimization: before } });
    await api.monitorUntil(id, (list) => byId(list, rollback.id)?.state === 'succeeded', 'the rollback to succeed');

    expect((await api.get(id)).optimization).toEqual(before);
    await api.waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 1, 'running again');
    await api.expectChatAnswer('steady');

    const audited = await api.auditEntries('deployment.rollback');
    expect(audited).toContainEqual(expect.objectContaining({ actorUsername: 'rollout-monitor', outcome: 'success', resourceId: id, summary: expect.stringContaining('CrashLoopBackOff') }));
    // …and a Warning in the deployment's events history.
    const warnings = await api.call('GET', `/api/deployments/${id}/events/history?type=Warning&limit=100`);
    expect(warnings.json<{ items: Array<{ reason: string; message: string }> }>().items).toContainEqual(expect.objectContaining({ reason: 'RolledBack', message: expect.stringContaining('CrashLoopBackOff') }));
    const history = (await api.call('GET', `/api/deployments/${id}/config-history`)).json<{ items: Array<{ cause: string; result: string; before: unknown }> }>().items;
    expect(history.map((entry) => [entry.cause, entry.result])).toEqual([
      ['rollback', 'applied'],
      ['manual', 'rolled_back'],
      ['manual', 'applied'],
    ]);
    expect(history[2]!.before).toBeNull();
  });

  it('supersedes a rollout in progress with a new change, and follows the new one to success', async () => {
    expect((await api.call('PATCH', `/api/deployments/${id}`, { optimization: badFlag() })).statusCode).toBe(200);
    const first = await api.rollout(id);
    expect((await api.call('PATCH', `/api/deployments/${id}`, { optimization: SHORT_CONTEXT })).statusCode).toBe(200);
    const second = await api.rollout(id);
    expect(second.id).not.toBe(first.id);
    expect(second).toMatchObject({ state: 'progressing', previousConfig: { optimization: badFlag() }, targetConfig: { optimization: SHORT_CONTEXT } });
    expect(byId((await api.rollouts(id)).items, first.id)).toMatchObject({ state: 'superseded' });

    await api.monitorUntil(id, (list) => byId(list, second.id)?.state === 'succeeded', 'the second rollout to succeed');
    await api.expectChatAnswer('steady');
  });

  it('rolls back by hand: of two rollbacks at once one starts, the other answers 409 ROLLOUT_IN_PROGRESS', async () => {
    const last = await api.rollout(id);
    expect(last.state).toBe('succeeded');
    // The last rollout came from the bad settings: go back to before the first change instead, through history.
    const history = (await api.call('GET', `/api/deployments/${id}/config-history?limit=500`)).json<{ items: Array<{ id: string; before: unknown }> }>().items;
    const creation = history.find((entry) => entry.before === null)!;
    const toStart = await api.call('POST', `/api/deployments/${id}/config-history/${creation.id}/rollback`);
    expect(toStart.statusCode, toStart.body).toBe(200);
    const historyRollback = await api.rollout(id);
    expect(historyRollback).toMatchObject({ cause: 'rollback', targetConfig: { optimization: ONE_THREAD } });
    await api.monitorUntil(id, (list) => byId(list, historyRollback.id)?.state === 'succeeded', 'the history rollback to succeed');

    const answers = await Promise.all([api.call('POST', `/api/deployments/${id}/rollout/rollback`), api.call('POST', `/api/deployments/${id}/rollout/rollback`)]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.statusCode === 409)!.json().error.code).toBe('ROLLOUT_IN_PROGRESS');
    const manual = await api.rollout(id);
    expect(manual).toMatchObject({ cause: 'rollback', state: 'progressing', rollbackOf: historyRollback.id, targetConfig: { optimization: SHORT_CONTEXT } });
    expect((await api.get(id)).optimization).toEqual(SHORT_CONTEXT);
    await api.monitorUntil(id, (list) => byId(list, manual.id)?.state === 'succeeded', 'the manual rollback to succeed');
    await api.expectChatAnswer('steady');
    expect((await api.auditEntries('deployment.rollback')).filter((entry) => entry.actorUsername === 'admin').length).toBeGreaterThanOrEqual(2);
  });

  it('reports a replica killed with SIGKILL as OOMKilled and rolls the change back', async () => {
    const before = (await api.get(id)).optimization;
    expect((await api.call('PATCH', `/api/deployments/${id}`, { optimization: ONE_THREAD })).statusCode).toBe(200);
    const started = await api.rollout(id);
    const stateFile = path.join(t.config.dataDir, 'workloads', 'steady', 'state.json');
    // The kernel's OOM killer sends SIGKILL: kill each run of the new replica until the monitor acts.
    await waitFor('the OOM rollback', async () => {
      const state = JSON.parse(await readFile(stateFile, 'utf8')) as { spec: { specHash: string }; replicas: Array<{ specHash: string; pid: number | null }> };
      for (const replica of state.replicas) {
        if (replica.specHash === state.spec.specHash && replica.pid !== null) {
          try {
            process.kill(replica.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
      await t.rolloutWatch.check(new Date(Date.now() + 60 * 60_000));
      return byId((await api.rollouts(id)).items, started.id)?.state === 'rolled_back' ? true : undefined;
    }, { timeoutMs: 90_000, pollMs: 200, describe: () => api.rollouts(id) });
    expect(byId((await api.rollouts(id)).items, started.id)).toMatchObject({ state: 'rolled_back', reason: 'OOMKilled' });
    expect((await api.get(id)).optimization).toEqual(before);
    await api.monitorUntil(id, (list) => list[0]?.cause === 'rollback' && list[0].state === 'succeeded', 'the OOM rollback to succeed');
    await api.expectChatAnswer('steady');
  });

  it('stops at a rollback that fails itself: the deployment is failed with both reasons, and nothing more is rolled back', async () => {
    // Bad settings on top of bad settings: the automatic rollback goes back to settings that crash too.
    expect((await api.call('PATCH', `/api/deployments/${id}`, { optimization: badFlag() })).statusCode).toBe(200);
    expect((await api.call('PATCH', `/api/deployments/${id}`, { optimization: badFlag('--another-bad-flag') })).statusCode).toBe(200);
    const change = await api.rollout(id);
    const items = await api.monitorUntil(id, (list) => list[0]?.cause === 'rollback' && list[0].state === 'failed', 'the rollback to fail');
    expect(byId(items, change.id)).toMatchObject({ state: 'rolled_back', reason: 'CrashLoopBackOff' });
    expect(items[0]).toMatchObject({ rollbackOf: change.id, reason: 'CrashLoopBackOff', message: expect.stringContaining('the change it undid had failed with CrashLoopBackOff') });
    // Held failed with both reasons on a live read (the reconciler reads the same way), though an old replica still serves.
    const failed = await api.get(id);
    expect(failed).toMatchObject({ status: 'failed', statusSource: 'live', statusReason: 'RollbackFailed', optimization: badFlag() });
    expect(failed.statusMessage).toMatch(/The rollback failed too: CrashLoopBackOff.*the change it undid had failed with CrashLoopBackOff/);
    const total = (await api.rollouts(id)).total;
    await t.rolloutWatch.check(new Date(Date.now() + 60 * 60_000));
    expect((await api.rollouts(id)).total).toBe(total);
    const audited = await api.auditEntries('deployment.rollback');
    expect(audited).toContainEqual(expect.objectContaining({ actorUsername: 'rollout-monitor', outcome: 'failure', summary: expect.stringContaining('The rollback failed too') }));
    const warnings = await api.call('GET', `/api/deployments/${id}/events/history?type=Warning&limit=100`);
    expect(warnings.json<{ items: Array<{ reason: string }> }>().items).toContainEqual(expect.objectContaining({ reason: 'RollbackFailed' }));
  });

  it('refuses a rollback while paused with 409 DEPLOYMENT_PAUSED (PATCH keeps its 400)', async () => {
    expect((await api.call('POST', `/api/deployments/${id}/pause`)).statusCode).toBe(200);
    const refused = await api.call('POST', `/api/deployments/${id}/rollout/rollback`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('DEPLOYMENT_PAUSED');
    const history = (await api.call('GET', `/api/deployments/${id}/config-history`)).json<{ items: Array<{ id: string }> }>().items;
    const toPoint = await api.call('POST', `/api/deployments/${id}/config-history/${history.at(-1)!.id}/rollback`);
    expect(toPoint.statusCode).toBe(409);
    expect(toPoint.json().error.code).toBe('DEPLOYMENT_PAUSED');
    const patch = await api.call('PATCH', `/api/deployments/${id}`, { replicas: 2 });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().error.code).toBe('DEPLOYMENT_PAUSED');
  });
});
