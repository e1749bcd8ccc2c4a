import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../support/test-database.js';
import { closeTinyModelApp, tinyModelAppWithPreset, ONE_THREAD, SHORT_CONTEXT_PRESET, type TinyPresetApp } from '../support/deployment-calls.js';

// Switching a deployment's optimization preset with PATCH (on the local host, the embedded
// llama.cpp runtime, the tiny model): settings resolved as at create, the preset id stored, the
// change recorded with cause `preset`; and a change whose row update fails leaves no history
// entry and no rollout behind (one transaction).

describe.each(testBackends())('deployment preset change (%s)', { timeout: 240_000 }, (backend) => {
  let app: TinyPresetApp;
  const history = (deploymentId: string) => app.api.history(deploymentId);
  const idle = async (name: string) => {
    const created = await app.api.call('POST', '/api/deployments', { name, modelId: app.modelId, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 0, optimization: ONE_THREAD });
    expect(created.statusCode, created.body).toBe(201);
    return created.json<{ id: string }>().id;
  };

  beforeAll(async () => {
    app = await tinyModelAppWithPreset(backend, 'hmas-preset-change-');
  }, 180_000);
  afterAll(() => closeTinyModelApp(app));

  it('switches to a preset: dry run shows it, the change is recorded with cause preset and rolls out', async () => {
    const id = await app.api.deploy('switched', app.modelId);
    const preview = await app.api.call('PATCH', `/api/deployments/${id}?dryRun=true`, { optimizationPresetId: app.presetId });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({
      dryRun: true,
      restartRequired: true,
      diff: expect.arrayContaining([
        { path: 'optimizationPresetId', before: null, after: app.presetId },
        { path: 'optimization.tier1', before: null, after: { maxModelLength: 512 } },
      ]),
    });
    expect(await app.api.get(id)).toMatchObject({ optimizationPresetId: null });

    // The preset's settings, with `optimization` on top, as at create.
    const switched = await app.api.call('PATCH', `/api/deployments/${id}`, { optimizationPresetId: app.presetId, optimization: { tier1: { maxModelLength: 256 } } });
    expect(switched.statusCode, switched.body).toBe(200);
    expect(switched.json()).toMatchObject({ optimizationPresetId: app.presetId, optimization: { tier1: { maxModelLength: 256 }, tier2: { threads: 1 } } });
    const [entry] = (await history(id)).items;
    expect(entry).toMatchObject({ cause: 'preset', before: { optimizationPresetId: null, optimization: ONE_THREAD }, after: { optimizationPresetId: app.presetId } });
    const rollout = await app.api.rollout(id);
    expect(rollout).toMatchObject({ id: entry!.rolloutId, cause: 'preset' });
    await app.api.monitorUntil(id, (list) => list[0]?.id === rollout.id && list[0].state === 'succeeded', 'the preset change to roll out');
    await app.api.waitForDeployment(id, (d) => d.status === 'running', 'running with the preset');
    await app.api.expectChatAnswer('switched');

    // Other settings changed without the preset: manual, the preset id stays.
    const scaled = await app.api.call('PATCH', `/api/deployments/${id}`, { replicas: 0 });
    expect(scaled.statusCode, scaled.body).toBe(200);
    expect(scaled.json()).toMatchObject({ optimizationPresetId: app.presetId, replicas: 0 });
    expect((await history(id)).items[0]).toMatchObject({ cause: 'manual', rolloutId: null });

    // Rolling back the preset change restores the settings and the preset id they came with.
    const creation = (await history(id)).items.find((item) => item.before === null)!;
    const back = await app.api.call('POST', `/api/deployments/${id}/config-history/${creation.id}/rollback`);
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ optimizationPresetId: null, optimization: ONE_THREAD, replicas: 1 });
    expect((await history(id)).items[0]).toMatchObject({ cause: 'rollback', after: { optimizationPresetId: null } });
    expect((await app.api.call('DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
  });

  it('drops a preset with null (settings kept), and refuses an unknown preset or one of another runtime', async () => {
    const id = await idle('dropped');
    expect((await app.api.call('PATCH', `/api/deployments/${id}`, { optimizationPresetId: app.presetId })).statusCode).toBe(200);
    const dropped = await app.api.call('PATCH', `/api/deployments/${id}`, { optimizationPresetId: null });
    expect(dropped.statusCode, dropped.body).toBe(200);
    expect(dropped.json()).toMatchObject({ optimizationPresetId: null, optimization: SHORT_CONTEXT_PRESET });
    expect((await history(id)).items[0]).toMatchObject({ cause: 'preset', rolloutId: null, after: { optimizationPresetId: null, optimization: SHORT_CONTEXT_PRESET } });

    const unknown = await app.api.call('PATCH', `/api/deployments/${id}`, { optimizationPresetId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.statusCode, unknown.body).toBe(404);
    expect(unknown.json().error.code).toBe('OPTIMIZATION_PRESET_NOT_FOUND');
    const otherRuntime = await app.api.call('PATCH', `/api/deployments/${id}?dryRun=true`, { optimizationPresetId: 'builtin:vllm:balanced' });
    expect(otherRuntime.statusCode, otherRuntime.body).toBe(400);
    expect(otherRuntime.json().error.code).toBe('PRESET_RUNTIME_MISMATCH');
    expect((await history(id)).total).toBe(3);
  });

  it('leaves no history entry and no rollout when the deployment row cannot be updated', async () => {
    const id = await idle('atomic');
    // A real failure of the row update, inside the database: a trigger refusing one value.
    const { db } = app.t.database.handle;
    await db.execute(sql.raw(`CREATE FUNCTION refuse_333() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test trigger'; END $$`));
    await db.execute(
      sql.raw(`CREATE TRIGGER refuse_333 BEFORE UPDATE ON deployments FOR EACH ROW WHEN ((NEW.optimization->'tier1'->>'maxModelLength') = '333') EXECUTE FUNCTION refuse_333()`),
    );
    const failed = await app.api.call('PATCH', `/api/deployments/${id}`, { optimization: { tier1: { maxModelLength: 333 }, tier2: { threads: 1 } } });
    expect(failed.statusCode).toBe(500);
    expect((await history(id)).total).toBe(1);
    expect((await app.api.rollouts(id)).total).toBe(0);
    expect((await app.api.get(id)).optimization).toEqual(ONE_THREAD);

    // The same change without the refused value goes through, with its rollout.
    const saved = await app.api.call('PATCH', `/api/deployments/${id}`, { optimization: { tier1: { maxModelLength: 334 }, tier2: { threads: 1 } } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await history(id)).total).toBe(2);
    expect((await app.api.rollouts(id)).total).toBe(1);
  });
});
