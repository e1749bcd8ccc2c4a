import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { writeTinyModel } from '../support/tiny-model.js';

const VALUE = 'hf_SuperSecretValue_0123456789';
const ROTATED = 'hf_RotatedValue_9876543210';

// Named secrets through the API: values go in and never come out — not in answers, not in the
// audit log, not in the database in clear — and deployment settings refer to them by name.
describe.each(testBackends())('secrets (%s)', { timeout: 120_000 }, (backend) => {
  let t: TestApp;
  let dir: string;
  let admin: { authorization: string };
  let operator: { authorization: string };
  let viewer: { authorization: string };
  let modelId: string;
  const everything: string[] = [];

  const call = async (headers: { authorization: string }, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const response = await t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
    everything.push(response.body);
    return response;
  };
  const deploy = (name: string, extraEnv: Record<string, unknown>) =>
    call(admin, 'POST', '/api/deployments', { name, modelId, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 0, optimization: { raw: { extraEnv } } });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-secrets-'));
    t = await createTestApp(backend);
    admin = await t.admin();
    operator = (await t.userWithRole('operator', 'secret-operator')).headers;
    viewer = (await t.userWithRole('viewer', 'secret-viewer')).headers;
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    const model = await call(admin, 'POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-secrets' });
    modelId = model.json<{ id: string }>().id;
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates, lists, rotates and deletes a secret without ever answering its value', async () => {
    const created = await call(operator, 'POST', '/api/secrets', { name: 'hf-token', value: VALUE, description: 'Hub read token' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual({
      name: 'hf-token',
      description: 'Hub read token',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      rotatedAt: expect.any(String),
      createdBy: 'secret-operator',
      usedBy: [],
    });
    const taken = await call(admin, 'POST', '/api/secrets', { name: 'hf-token', value: 'other' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('SECRET_NAME_TAKEN');

    const listed = await call(viewer, 'GET', '/api/secrets');
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toMatchObject({ total: 1, items: [{ name: 'hf-token', createdBy: 'secret-operator' }] });
    expect((await call(viewer, 'GET', '/api/secrets/hf-token')).json()).toMatchObject({ name: 'hf-token' });

    const rotated = await call(operator, 'POST', '/api/secrets/hf-token/rotate', { value: ROTATED });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(Date.parse(rotated.json().rotatedAt)).toBeGreaterThanOrEqual(Date.parse(created.json().rotatedAt));
    expect((await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json().paths['/api/secrets']).toBeDefined();

    const [row] = await t.database.handle.transaction((session) => session.query<{ value_sealed: string }>("SELECT value_sealed FROM secrets WHERE name = 'hf-token'"));
    expect(row?.value_sealed).toMatch(/^v1\./);
    expect(row?.value_sealed).not.toContain(ROTATED);

    const audit = await call(admin, 'GET', '/api/audit-logs?action=secret.');
    expect(audit.json<{ items: Array<{ action: string; summary: string }> }>().items.map((entry) => entry.action).sort()).toEqual(['secret.create', 'secret.create', 'secret.rotate']);

    expect((await call(operator, 'DELETE', '/api/secrets/hf-token')).statusCode).toBe(204);
    expect((await call(viewer, 'GET', '/api/secrets/hf-token')).statusCode).toBe(404);
    for (const body of everything) expect(body).not.toMatch(new RegExp(`${VALUE}|${ROTATED}`));
  });

  it('lets every role list, and only operators and admins change secrets', async () => {
    for (const [method, url, payload] of [
      ['POST', '/api/secrets', { name: 'viewer-made', value: 'x' }],
      ['POST', '/api/secrets/any-name/rotate', { value: 'x' }],
      ['DELETE', '/api/secrets/any-name', undefined],
    ] as const) {
      const refused = await call(viewer, method, url, payload);
      expect(refused.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await call(viewer, 'GET', '/api/secrets')).statusCode).toBe(200);
  });

  it('refuses plain secret-looking values in deployment settings, with a hint to use a secret', async () => {
    const refused = await deploy('plain-token', { HF_TOKEN: VALUE });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({
      code: 'SECRET_VALUE_IN_SETTINGS',
      message: expect.stringContaining('{ "secretRef": "hf-token" }'),
      details: { issues: [{ path: '/optimization/raw/extraEnv/HF_TOKEN', message: expect.any(String) }] },
    });
    const preset = await call(admin, 'POST', '/api/optimization-presets', { name: 'plain-token', runtime: 'vllm', optimization: { raw: { extraEnv: { HF_TOKEN: 'k' } } } });
    expect(preset.statusCode).toBe(400);
    expect(preset.json().error.code).toBe('SECRET_VALUE_IN_SETTINGS');
  });

  it('refuses a reference to a secret that does not exist, naming it', async () => {
    const refused = await deploy('missing-ref', { HF_TOKEN: { secretRef: 'no-such-secret' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'SECRET_NOT_FOUND', message: expect.stringContaining('"no-such-secret"') });
  });

  it('shows references, never values, and refuses to delete a secret a deployment uses', async () => {
    expect((await call(operator, 'POST', '/api/secrets', { name: 'model-token', value: VALUE })).statusCode).toBe(201);
    const created = await deploy('with-secret', { HF_TOKEN: { secretRef: 'model-token' }, OMP_NUM_THREADS: '1' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;

    const seen = await call(viewer, 'GET', `/api/deployments/${id}`);
    expect(seen.json().optimization).toEqual({ raw: { extraEnv: { HF_TOKEN: { secretRef: 'model-token' }, OMP_NUM_THREADS: '1' } } });
    expect((await call(viewer, 'GET', '/api/secrets/model-token')).json().usedBy).toEqual(['with-secret']);

    const inUse = await call(operator, 'DELETE', '/api/secrets/model-token');
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error).toMatchObject({ code: 'SECRET_IN_USE', details: { usedBy: ['deployment "with-secret"'] } });

    const badUpdate = await call(admin, 'PATCH', `/api/deployments/${id}`, { optimization: { raw: { extraEnv: { HF_TOKEN: { secretRef: 'gone' } } } } });
    expect(badUpdate.statusCode).toBe(400);
    expect(badUpdate.json().error.code).toBe('SECRET_NOT_FOUND');

    expect((await call(operator, 'DELETE', `/api/deployments/${id}`)).statusCode).toBeLessThan(300);
    expect((await call(operator, 'DELETE', '/api/secrets/model-token')).statusCode).toBe(204);
    for (const body of everything) expect(body).not.toContain(VALUE);
  });
});
