import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../support/test-database.js';
import { closeTinyModelApp, tinyModelAppWithPreset, ONE_THREAD, SHORT_CONTEXT_PRESET, type TinyPresetApp } from '../support/deployment-calls.js';

// "Resume with new settings" on the local host (embedded llama.cpp, the tiny model): the body of
// POST /resume is checked and recorded as PATCH's, and the replicas start with the new spec; an
// empty body, or one that changes nothing, is a plain resume.

describe.each(testBackends())('resume with new settings (%s)', { timeout: 240_000 }, (backend) => {
  let app: TinyPresetApp;
  const history = (deploymentId: string) => app.api.history(deploymentId);
  const pause = async (id: string) => {
    const paused = await app.api.call('POST', `/api/deployments/${id}/pause`);
    expect(paused.statusCode, paused.body).toBe(200);
  };

  beforeAll(async () => {
    app = await tinyModelAppWithPreset(backend, 'hmas-resume-settings-');
  }, 180_000);
  afterAll(() => closeTinyModelApp(app));

  it('starts the replicas with the new settings, recorded with their rollout, and audits the resume', async () => {
    const id = await app.api.deploy('resumed', app.modelId);
    await pause(id);
    const resumesBefore = (await app.api.auditEntries('deployment.resume')).length;

    const resumed = await app.api.call('POST', `/api/deployments/${id}/resume`, { optimizationPresetId: app.presetId });
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect(resumed.json()).toMatchObject({ status: 'deploying', optimizationPresetId: app.presetId, optimization: SHORT_CONTEXT_PRESET, replicas: 1 });
    const [entry] = (await history(id)).items;
    expect(entry).toMatchObject({ cause: 'preset', after: { optimization: SHORT_CONTEXT_PRESET, optimizationPresetId: app.presetId } });
    const rollout = await app.api.rollout(id);
    expect(rollout).toMatchObject({ id: entry!.rolloutId, cause: 'preset', targetConfig: { optimization: SHORT_CONTEXT_PRESET } });
    await app.api.monitorUntil(id, (list) => list[0]?.id === rollout.id && list[0].state === 'succeeded', 'the new settings to roll out');
    await app.api.waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 1, 'running with the new settings');
    await app.api.expectChatAnswer('resumed');
    const [audit] = await app.api.auditEntries('deployment.resume');
    expect((await app.api.auditEntries('deployment.resume')).length).toBe(resumesBefore + 1);
    expect(audit).toMatchObject({ outcome: 'success', resourceId: id, summary: 'resumed resumed with optimizationPresetId' });

    // A body that changes nothing, and no body: a plain resume, nothing recorded.
    for (const body of [{ replicas: 1 }, undefined]) {
      await pause(id);
      const plain = await app.api.call('POST', `/api/deployments/${id}/resume`, body);
      expect(plain.statusCode, plain.body).toBe(200);
      expect(plain.json()).toMatchObject({ status: 'deploying', replicas: 1 });
      expect((await history(id)).total).toBe(2);
      await app.api.waitForDeployment(id, (d) => d.status === 'running', 'running again');
    }
    expect((await app.api.call('DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
  });

  it('checks the settings as PATCH does and stays paused when they are refused', async () => {
    const created = await app.api.call('POST', '/api/deployments', { name: 'refused', modelId: app.modelId, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 0, optimization: ONE_THREAD });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<{ id: string }>();
    await pause(id);
    const operator = await app.t.userWithRole('operator');
    const asOperator = await app.t.app.inject({
      method: 'POST',
      url: `/api/deployments/${id}/resume`,
      headers: operator.headers,
      payload: { optimization: { tier2: { threads: 1 }, raw: { extraEnv: { OMP_NUM_THREADS: '1' } } } },
    });
    expect(asOperator.statusCode, asOperator.body).toBe(403);
    expect(asOperator.json().error.code).toBe('RAW_SETTINGS_ADMIN_ONLY');
    const hooked = await app.api.call('POST', `/api/deployments/${id}/resume`, { optimization: { raw: { extraEnv: { NODE_OPTIONS: '--require=/tmp/x.js' } } } });
    expect(hooked.statusCode, hooked.body).toBe(400);
    expect(hooked.json().error.code).toBe('ENV_NOT_ALLOWED');
    const unknown = await app.api.call('POST', `/api/deployments/${id}/resume`, { optimizationPresetId: 'builtin:embedded-llamacpp:none-such' });
    expect(unknown.statusCode, unknown.body).toBe(404);
    expect(unknown.json().error.code).toBe('OPTIMIZATION_PRESET_NOT_FOUND');
    const mismatch = await app.api.call('POST', `/api/deployments/${id}/resume`, { optimizationPresetId: 'builtin:vllm:balanced' });
    expect(mismatch.statusCode, mismatch.body).toBe(400);
    expect(mismatch.json().error.code).toBe('PRESET_RUNTIME_MISMATCH');
    expect(await app.api.get(id)).toMatchObject({ status: 'paused', optimization: ONE_THREAD });
    expect((await history(id)).total).toBe(1);

    // An operator may resume with Tier 1 and Tier 2 settings.
    const tuned = await app.t.app.inject({ method: 'POST', url: `/api/deployments/${id}/resume`, headers: operator.headers, payload: { optimization: { tier2: { threads: 2 } } } });
    expect(tuned.statusCode, tuned.body).toBe(200);
    expect(tuned.json()).toMatchObject({ optimization: { tier2: { threads: 2 } } });
    expect((await history(id)).items[0]).toMatchObject({ cause: 'manual', after: { optimization: { tier2: { threads: 2 } } } });
  });
});
