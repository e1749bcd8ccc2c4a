import { rm } from 'node:fs/promises';
import path from 'node:path';
import Fastify from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAuth } from '../../src/server/auth-plugin.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { modelDirForRuntimes, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';

const SD = '/api/prometheus/sd';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe.each(testBackends())('Prometheus discovery: who may read it (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });
  const sd = (headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: SD, headers });

  it('answers operators and admins signed in; anonymous 401, viewers 403', async () => {
    expect((await sd(await t.admin())).statusCode).toBe(200);
    expect((await sd((await t.userWithRole('operator')).headers)).json()).toEqual([]);
    const anonymous = await sd();
    expect([anonymous.statusCode, anonymous.json().error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const viewer = await sd((await t.userWithRole('viewer')).headers);
    expect([viewer.statusCode, viewer.json().error.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('takes an operator’s or admin’s key with the monitoring scope, and refuses keys without it, revoked or malformed', async () => {
    const operator = await t.userWithRole('operator');
    const monitoring = await t.apiKey({ name: 'prometheus', scopes: ['monitoring'] }, operator.headers);
    const answer = await sd(bearer(monitoring.key));
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect((await sd(bearer((await t.apiKey({ name: 'both', scopes: ['inference', 'monitoring'] })).key))).statusCode).toBe(200);

    const inferenceOnly = await sd(bearer((await t.apiKey({ name: 'chat-app' })).key));
    expect([inferenceOnly.statusCode, inferenceOnly.json().error.code]).toEqual([403, 'API_KEY_SCOPE']);
    expect(inferenceOnly.json().error.message).toBe('This API key does not have the monitoring scope.');
    const malformed = await sd(bearer('sk-hmas-not-a-key'));
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([401, 'INVALID_API_KEY']);

    expect((await t.app.inject({ method: 'DELETE', url: `/api/api-keys/${monitoring.id}`, headers: operator.headers })).statusCode).toBe(200);
    const revoked = await sd(bearer(monitoring.key));
    expect([revoked.statusCode, revoked.json().error.code]).toEqual([401, 'API_KEY_REVOKED']);
  });

  it('a monitoring key opens discovery only: not the gateway, not other routes', async () => {
    const { key } = await t.apiKey({ name: 'prometheus-only', scopes: ['monitoring'] });
    const chat = await t.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { ...bearer(key), 'content-type': 'application/json' }, payload: { model: 'any', messages: [] } });
    expect([chat.statusCode, chat.json().error.code]).toEqual([403, 'API_KEY_SCOPE']);
    const models = await t.app.inject({ method: 'GET', url: '/api/models', headers: bearer(key) });
    expect([models.statusCode, models.json().error.code]).toEqual([401, 'INVALID_TOKEN']);
  });

  it('gives the monitoring scope to operators and admins only, and takes a key back when its owner becomes a viewer', async () => {
    const viewer = await t.userWithRole('viewer');
    const refused = await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: viewer.headers, payload: { name: 'mine', scopes: ['monitoring'] } });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'FORBIDDEN']);
    expect(refused.json().error.message).toBe('A key with the monitoring scope needs the operator role or higher; you are viewer.');
    expect((await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: viewer.headers, payload: { name: 'mine', scopes: ['inference'] } })).statusCode).toBe(201);

    const operator = await t.userWithRole('operator');
    const { key } = await t.apiKey({ name: 'prometheus', scopes: ['monitoring'] }, operator.headers);
    expect((await sd(bearer(key))).statusCode).toBe(200);
    const demoted = await t.app.inject({ method: 'PATCH', url: `/api/users/${operator.id}`, headers: await t.admin(), payload: { role: 'viewer' } });
    expect(demoted.statusCode, demoted.body).toBe(200);
    // The gateway's user cache holds a role for at most a second.
    const refusedNow = await waitFor('the demoted owner’s key refused', async () => {
      const answer = await sd(bearer(key));
      return answer.statusCode === 200 ? undefined : answer;
    });
    expect([refusedNow.statusCode, refusedNow.json().error.code]).toEqual([403, 'FORBIDDEN']);
  });
});

describe('routes that take API keys', () => {
  it('must be read-only: a server declaring one that changes state does not start', () => {
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    installAuth(app, { tokens: {} as never, users: {} as never, sessions: { isRevoked: async () => false } });
    expect(() => app.post('/api/things', { config: { access: 'operator', apiKeyScope: 'monitoring' } }, async () => ({}))).toThrow(
      'Route POST /api/things takes API keys (config.apiKeyScope) but is not read-only.',
    );
    expect(() => app.get('/api/things', { config: { access: 'operator', apiKeyScope: 'monitoring' } }, async () => ({}))).not.toThrow();
  });
});

// One backend: the targets come from the local driver, not from the database.
describe('Prometheus discovery: the targets', { timeout: 180_000 }, () => {
  let t: TestApp;
  let dir: string;
  let admin: { authorization: string };
  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-prometheus-sd-');
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    t = await createTestApp('pglite', { HMAS_RECONCILE_INTERVAL_MS: '1000' });
    admin = await t.admin();
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const call = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });

  it('lists each ready replica with its labels, to keys only their allowed deployments; its /metrics answers without the replica token; a paused deployment is gone', async () => {
    const model = await call('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-sd' });
    expect(model.statusCode, model.body).toBe(201);
    const created = await call('POST', '/api/deployments', { name: 'sd-chat', modelId: model.json<{ id: string }>().id, cluster: 'local', runtime: 'embedded-llamacpp', replicas: 2, optimization: { tier2: { threads: 1 } } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;
    await waitFor('two replicas ready', async () => ((await call('GET', `/api/deployments/${id}`)).json<{ readyReplicas: number }>().readyReplicas === 2 ? true : undefined), { timeoutMs: 150_000, pollMs: 500 });

    const replicas = (await call('GET', `/api/deployments/${id}/logs`)).json<{ items: Array<{ replica: string }> }>().items.map((logs) => logs.replica);
    const groups = await waitFor('both replicas listed', async () => {
      const answer = (await call('GET', SD)).json<Array<{ targets: string[]; labels: Record<string, string> }>>();
      return answer.length === 2 ? answer : undefined;
    });
    expect(groups.map((group) => group.labels)).toEqual(
      [...replicas].sort().map((replica) => ({ __metrics_path__: '/metrics', __scheme__: 'http', deployment: 'sd-chat', cluster: 'local', runtime: 'embedded-llamacpp', model: 'tiny-sd', replica })),
    );
    for (const group of groups) {
      expect(group.targets).toHaveLength(1);
      expect(group.targets[0]).toMatch(/^127\.0\.0\.1:\d+$/);
      const metrics = await fetch(`http://${group.targets[0]}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('llamacpp:requests_processing');
    }

    // A key limited to some deployments discovers theirs only.
    const onlyThis = await t.apiKey({ name: 'sd-chat-only', scopes: ['monitoring'], allowedDeployments: ['sd-chat'] });
    const onlyOther = await t.apiKey({ name: 'other-only', scopes: ['monitoring'], allowedDeployments: ['other-chat'] });
    expect((await t.app.inject({ method: 'GET', url: SD, headers: bearer(onlyThis.key) })).json()).toEqual(groups);
    expect((await t.app.inject({ method: 'GET', url: SD, headers: bearer(onlyOther.key) })).json()).toEqual([]);

    expect((await call('POST', `/api/deployments/${id}/pause`)).statusCode).toBe(200);
    expect((await call('GET', SD)).json()).toEqual([]);
  });
});
