import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { type deploymentCalls, tinyModelApp, ONE_THREAD } from '../support/deployment-calls.js';

// Config history on the local host with the embedded llama.cpp runtime and the tiny model:
// every change recorded, a structured diff, rollback to a point (dry run first), no audit rows
// for dry runs.

interface HistoryEntry {
  id: string;
  rolloutId: string | null;
  cause: string;
  actorUsername: string | null;
  before: { optimization: unknown; replicas: number } | null;
  after: { optimization: unknown; replicas: number };
  result: string;
}

const SHORT_CONTEXT = { tier1: { maxModelLength: 512 }, tier2: { threads: 1 } };

describe.each(testBackends())('config history (%s)', { timeout: 240_000 }, (backend) => {
  let t: TestApp;
  let dir: string;
  let api: ReturnType<typeof deploymentCalls>;
  let modelId: string;
  let id: string;
  const history = async (deploymentId: string) => (await api.call('GET', `/api/deployments/${deploymentId}/config-history`)).json<{ items: HistoryEntry[]; total: number }>();

  beforeAll(async () => {
    ({ t, api, modelId, dir } = await tinyModelApp(backend, 'hmas-config-history-'));
    id = await api.deploy('recorded', modelId);
    // A first start can take a while when other suites share the cores.
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records the creation and each change with before, after, cause, who and its rollout; dry runs record and audit nothing', async () => {
    const updatesBefore = (await api.auditEntries('deployment.update')).length;
    const dryRun = await api.call('PATCH', `/api/deployments/${id}?dryRun=true`, { optimization: SHORT_CONTEXT });
    expect(dryRun.json()).toMatchObject({ dryRun: true, restartRequired: true });
    expect((await api.auditEntries('deployment.update')).length).toBe(updatesBefore);
    expect((await history(id)).total).toBe(1);

    expect((await api.call('PATCH', `/api/deployments/${id}`, { optimization: SHORT_CONTEXT })).statusCode).toBe(200);
    expect((await api.auditEntries('deployment.update')).length).toBe(updatesBefore + 1);
    const { items, total } = await history(id);
    expect(total).toBe(2);
    const [change, creation] = items;
    expect(creation).toMatchObject({ cause: 'manual', before: null, after: { optimization: ONE_THREAD, replicas: 1 }, rolloutId: null, result: 'applied', actorUsername: 'admin' });
    expect(change).toMatchObject({ cause: 'manual', before: { optimization: ONE_THREAD }, after: { optimization: SHORT_CONTEXT }, result: 'applied', actorUsername: 'admin' });
    expect(change!.rolloutId).toBe((await api.rollout(id)).id);

    const detail = await api.call('GET', `/api/deployments/${id}/config-history/${change!.id}`);
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.json<{ diff: unknown[] }>().diff).toEqual([{ path: 'optimization.tier1', before: null, after: { maxModelLength: 512 } }]);
    await api.monitorUntil(id, (list) => list[0]?.state === 'succeeded', 'the change to roll out');

    // A change that only scales restarts nothing: history, no rollout.
    expect((await api.call('PATCH', `/api/deployments/${id}`, { replicas: 0 })).statusCode).toBe(200);
    const scaled = (await history(id)).items[0]!;
    expect(scaled).toMatchObject({ before: { replicas: 1 }, after: { replicas: 0 }, rolloutId: null });
  });

  it('rolls back to a history point, dry run first, through the same path as PATCH', async () => {
    const creation = (await history(id)).items.find((entry) => entry.before === null)!;
    const rollbacksBefore = (await api.auditEntries('deployment.rollback')).length;
    const preview = await api.call('POST', `/api/deployments/${id}/config-history/${creation.id}/rollback?dryRun=true`);
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({
      dryRun: true,
      restartRequired: true,
      diff: expect.arrayContaining([
        { path: 'replicas', before: 0, after: 1 },
        { path: 'optimization.tier1', before: { maxModelLength: 512 }, after: null },
      ]),
    });
    expect((await api.get(id)).optimization).toEqual(SHORT_CONTEXT);
    expect((await api.auditEntries('deployment.rollback')).length).toBe(rollbacksBefore);

    const rolledBack = await api.call('POST', `/api/deployments/${id}/config-history/${creation.id}/rollback`);
    expect(rolledBack.statusCode, rolledBack.body).toBe(200);
    expect(rolledBack.json()).toMatchObject({ replicas: 1, optimization: ONE_THREAD });
    expect((await api.auditEntries('deployment.rollback')).length).toBe(rollbacksBefore + 1);
    const latest = (await history(id)).items[0]!;
    expect(latest).toMatchObject({ cause: 'rollback', before: { replicas: 0, optimization: SHORT_CONTEXT }, after: { replicas: 1, optimization: ONE_THREAD }, actorUsername: 'admin' });
    const rollout = await api.rollout(id);
    expect(rollout).toMatchObject({ id: latest.rolloutId, cause: 'rollback' });
    await api.monitorUntil(id, (list) => list[0]?.id === rollout.id && list[0].state === 'succeeded', 'the rollback to roll out');
    await api.waitForDeployment(id, (d) => d.status === 'running', 'running at the old settings');
    await api.expectChatAnswer('recorded');

    const again = await api.call('POST', `/api/deployments/${id}/config-history/${creation.id}/rollback`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('NOTHING_TO_ROLL_BACK');
  });

  it("answers 404 for another deployment's history entry, and says when there is nothing to roll back", async () => {
    // No replicas: a deployment with a history and no process.
    const created = await api.call('POST', '/api/deployments', { name: 'elsewhere', modelId, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 0, optimization: ONE_THREAD });
    expect(created.statusCode, created.body).toBe(201);
    const otherId = created.json<{ id: string }>().id;
    const otherEntry = (await history(otherId)).items[0]!;

    for (const [method, url] of [
      ['GET', `/api/deployments/${id}/config-history/${otherEntry.id}`],
      ['POST', `/api/deployments/${id}/config-history/${otherEntry.id}/rollback`],
      ['POST', `/api/deployments/${id}/config-history/${otherEntry.id}/rollback?dryRun=true`],
    ] as const) {
      const answer = await api.call(method, url);
      expect(answer.statusCode, url).toBe(404);
      expect(answer.json().error.code).toBe('CONFIG_HISTORY_ENTRY_NOT_FOUND');
    }
    const malformed = await api.call('GET', `/api/deployments/${id}/config-history/not-a-uuid`);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('VALIDATION_FAILED');

    const noRollout = await api.call('GET', `/api/deployments/${otherId}/rollout`);
    expect(noRollout.statusCode).toBe(404);
    expect(noRollout.json().error.code).toBe('ROLLOUT_NOT_FOUND');
    const nothing = await api.call('POST', `/api/deployments/${otherId}/rollout/rollback`);
    expect(nothing.statusCode).toBe(409);
    expect(nothing.json().error.code).toBe('NOTHING_TO_ROLL_BACK');
    const viewer = await t.userWithRole('viewer');
    expect((await t.app.inject({ method: 'GET', url: `/api/deployments/${id}/config-history`, headers: viewer.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/api/deployments/${id}/rollout/rollback`, headers: viewer.headers })).statusCode).toBe(403);
  });
});
