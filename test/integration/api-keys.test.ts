import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKey, CreatedApiKey } from '../../src/domain/api-key.js';
import { createCallerResolver, type CallerResolverDeps, type GatewayCallerResolver } from '../../src/gateway/auth/caller-resolver.js';
import { GatewayError } from '../../src/gateway/gateway-error.js';
import { createLogger } from '../../src/lib/logger.js';
import { createApiKeyRepo } from '../../src/services/api-keys/api-key-repo.js';
import { hashApiKey } from '../../src/services/api-keys/api-key-secret.js';
import { createApiKeyService, type ApiKeyService } from '../../src/services/api-keys/api-key-service.js';
import { createApiKeyUsageRecorder } from '../../src/services/api-keys/api-key-usage.js';
import { createTokenService } from '../../src/services/auth/token-service.js';
import { createRevokedSessionRepo } from '../../src/services/auth/revoked-session-repo.js';
import { createSessionRevocationService } from '../../src/services/auth/session-revocation-service.js';
import { createUserRepo } from '../../src/services/users/user-repo.js';
import { createUserService } from '../../src/services/users/user-service.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';

const REDIS_URL = process.env.TEST_REDIS_URL;
const silent = createLogger({ level: 'silent', pretty: false });
const inOneHour = () => new Date(Date.now() + 3600_000).toISOString();

describe.each(testBackends())('API keys (%s)', (backend) => {
  let t: TestApp;
  const resolvers: GatewayCallerResolver[] = [];
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => {
    await Promise.all(resolvers.map((resolver) => resolver.close()));
    await t?.close();
  });

  type Headers = { authorization: string };
  const create = async (headers: Headers, payload: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/api-keys', headers, payload });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<CreatedApiKey>();
  };
  const call = (method: 'GET' | 'PATCH' | 'DELETE', url: string, headers: Headers, payload?: Record<string, unknown>) =>
    t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  /**
   * What another part of the server (or another instance) sees: its own API-key service and
   * caller resolver over the same database — the way the gateway is wired in compose.
   */
  const gatewaySide = (options: Partial<CallerResolverDeps> = {}): { service: ApiKeyService; resolver: GatewayCallerResolver } => {
    const db = t.database.handle.db;
    const service = createApiKeyService({ repo: createApiKeyRepo(db) });
    const resolver = createCallerResolver({
      tokens: createTokenService({ secret: t.config.jwtSecret!, ttlSeconds: 3600 }),
      users: createUserService({ repo: createUserRepo(db) }),
      sessions: createSessionRevocationService({ repo: createRevokedSessionRepo(db) }),
      apiKeys: service,
      logger: silent,
      ...options,
    });
    resolvers.push(resolver);
    return { service, resolver };
  };
  const refusalCode = async (resolver: GatewayCallerResolver, key: string) => {
    const error: unknown = await resolver.resolve({ authorization: `Bearer ${key}` }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(401);
    return (error as GatewayError).code;
  };
  const rowsOf = (id: string) =>
    t.database.handle.transaction((session) => session.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [id]));

  it('shows the plain key once, in the create answer, and never again: not in reads, lists or the audit log', async () => {
    const viewer = await t.userWithRole('viewer');
    const created = await create(viewer.headers, { name: 'laptop' });
    expect(created.key).toMatch(/^sk-hmas-[0-9A-Za-z]{43}$/);
    expect(created).toMatchObject({
      name: 'laptop',
      userId: viewer.id,
      keyPrefix: created.key.slice(0, 12),
      scopes: ['inference'],
      allowedDeployments: [],
      rpm: null,
      tpm: null,
      active: true,
      status: 'active',
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    });

    const one = await call('GET', `/api/api-keys/${created.id}`, viewer.headers);
    expect(one.statusCode).toBe(200);
    const { key, ...withoutKey } = created;
    expect(one.json()).toEqual(withoutKey);
    const list = await call('GET', '/api/api-keys', viewer.headers);
    expect(list.json<{ items: ApiKey[] }>().items.map((item) => item.id)).toContain(created.id);
    const audit = await call('GET', '/api/audit-logs?action=api_key.', await t.admin());
    const entry = audit.json<{ items: Array<{ resourceId: string; summary: string; action: string }> }>().items.find((item) => item.resourceId === created.id);
    expect(entry).toMatchObject({ action: 'api_key.create', summary: `created API key "laptop" (${created.keyPrefix}…)` });
    for (const body of [one.body, list.body, audit.body]) expect(body).not.toContain(key);
  });

  it('stores only the SHA-256 of the key, never the key itself', async () => {
    const created = await create(await t.admin(), { name: 'stored' });
    const [row] = await rowsOf(created.id);
    expect(row?.key_sha256).toBe(hashApiKey(created.key));
    expect(row?.key_prefix).toBe(created.keyPrefix);
    expect(JSON.stringify(row)).not.toContain(created.key.slice(12));
  });

  it("lets a viewer manage only their own keys: another user's key answers 404, as if it did not exist", async () => {
    const ada = await t.userWithRole('viewer');
    const bob = await t.userWithRole('viewer');
    const adas = await create(ada.headers, { name: 'ada-key' });
    for (const [method, payload] of [['GET'], ['PATCH', { name: 'stolen' }], ['DELETE']] as const) {
      const response = await call(method, `/api/api-keys/${adas.id}`, bob.headers, payload);
      expect(response.statusCode, `${method} ${response.body}`).toBe(404);
      expect(response.json().error.code).toBe('API_KEY_NOT_FOUND');
    }
    const bobsList = await call('GET', '/api/api-keys', bob.headers);
    expect(bobsList.json<{ items: ApiKey[] }>().items.map((item) => item.userId)).not.toContain(ada.id);
    const prying = await call('GET', `/api/api-keys?userId=${ada.id}`, bob.headers);
    expect(prying.statusCode).toBe(403);
    expect(await call('GET', `/api/api-keys?userId=${bob.id}`, bob.headers).then((response) => response.statusCode)).toBe(200);
    // Ada's key is untouched, and an admin sees it, also through the userId filter.
    expect((await call('GET', `/api/api-keys/${adas.id}`, ada.headers)).json()).toMatchObject({ name: 'ada-key', status: 'active' });
    const admins = await call('GET', `/api/api-keys?userId=${ada.id}`, await t.admin());
    expect(admins.json()).toMatchObject({ total: 1, items: [{ id: adas.id, username: expect.stringMatching(/^viewer-/) }] });
  });

  it('changes name, expiry, allowed deployments, limits and the active flag, and null puts a limit back to inherited', async () => {
    const viewer = await t.userWithRole('viewer');
    const created = await create(viewer.headers, { name: 'ci', rpm: 30, tpm: 1000 });
    const expiresAt = inOneHour();
    const patched = await call('PATCH', `/api/api-keys/${created.id}`, viewer.headers, {
      name: 'ci-2',
      expiresAt,
      allowedDeployments: ['qwen', 'llama', 'qwen'],
      rpm: null,
      tpm: 0,
      active: false,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      name: 'ci-2',
      expiresAt: new Date(expiresAt).toISOString(),
      allowedDeployments: ['qwen', 'llama'],
      rpm: null,
      tpm: 0,
      active: false,
      status: 'inactive',
    });
    const resumed = await call('PATCH', `/api/api-keys/${created.id}`, viewer.headers, { active: true, expiresAt: null });
    expect(resumed.json()).toMatchObject({ active: true, status: 'active', expiresAt: null, name: 'ci-2' });
    const audit = await call('GET', '/api/audit-logs?action=api_key.update', await t.admin());
    expect(audit.json<{ items: Array<{ summary: string }> }>().items[0]?.summary).toBe('changed API key "ci-2" (' + created.keyPrefix + '…): expiresAt=null, active=true');
  });

  it('refuses an expiry in the past with 400 VALIDATION_FAILED, on create and on change', async () => {
    const admin = await t.admin();
    const past = new Date(Date.now() - 1000).toISOString();
    const refused = await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: admin, payload: { name: 'late', expiresAt: past } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('expiresAt') });
    const created = await create(admin, { name: 'later' });
    const patched = await call('PATCH', `/api/api-keys/${created.id}`, admin, { expiresAt: past });
    expect(patched.statusCode).toBe(400);
  });

  it('refuses a name with a NUL character with 400, on create and on change (the database cannot store it)', async () => {
    const admin = await t.admin();
    const refused = await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: admin, payload: { name: 'a\u0000b' } });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('name') });
    const created = await create(admin, { name: 'plain' });
    const patched = await call('PATCH', `/api/api-keys/${created.id}`, admin, { name: 'a\u0000b' });
    expect(patched.statusCode, patched.body).toBe(400);
  });

  it('revokes for good: the key stays listed as revoked, cannot be changed, and revoking again changes nothing', async () => {
    const viewer = await t.userWithRole('viewer');
    const created = await create(viewer.headers, { name: 'to-revoke' });
    const revoked = await call('DELETE', `/api/api-keys/${created.id}`, viewer.headers);
    expect(revoked.statusCode).toBe(200);
    const body = revoked.json<ApiKey>();
    expect(body).toMatchObject({ status: 'revoked', active: false, revokedAt: expect.any(String) });
    expect(revoked.body).not.toContain(created.key);
    const again = await call('DELETE', `/api/api-keys/${created.id}`, viewer.headers);
    expect(again.json<ApiKey>().revokedAt).toBe(body.revokedAt);
    const list = await call('GET', '/api/api-keys', viewer.headers);
    expect(list.json<{ items: ApiKey[] }>().items).toEqual([expect.objectContaining({ id: created.id, status: 'revoked' })]);
    const reactivate = await call('PATCH', `/api/api-keys/${created.id}`, viewer.headers, { active: true });
    expect(reactivate.statusCode).toBe(409);
    expect(reactivate.json().error.code).toBe('API_KEY_REVOKED');
    const audit = await call('GET', '/api/audit-logs?action=api_key.revoke', await t.admin());
    const entries = audit.json<{ items: Array<{ resourceId: string; summary: string }> }>().items.filter((item) => item.resourceId === created.id);
    expect(entries.map((item) => item.summary)).toEqual([
      `revoked again (no change) API key "to-revoke" (${created.keyPrefix}…)`,
      `revoked API key "to-revoke" (${created.keyPrefix}…)`,
    ]);
  });

  it('lets an admin revoke any user\'s key', async () => {
    const viewer = await t.userWithRole('viewer');
    const created = await create(viewer.headers, { name: 'incident' });
    const revoked = await call('DELETE', `/api/api-keys/${created.id}`, await t.admin());
    expect(revoked.json()).toMatchObject({ status: 'revoked', userId: viewer.id });
  });

  it('resolves a key made through the API to its owner, and refuses it as soon as it is revoked', async () => {
    const viewer = await t.userWithRole('viewer');
    const created = await create(viewer.headers, { name: 'gateway', allowedDeployments: ['qwen'], rpm: 5 });
    const { service, resolver } = gatewaySide();
    const caller = await resolver.resolve({ authorization: `Bearer ${created.key}` });
    expect(caller).toMatchObject({ userId: viewer.id, authMethod: 'api_key', keyId: created.id, role: 'viewer', allowedDeployments: ['qwen'], keyLimits: { rpm: 5, tpm: null } });
    // The key is cached now; the revocation must not wait for the cache to expire.
    await service.revoke({ userId: viewer.id, username: 'viewer', role: 'viewer' }, created.id);
    expect(await refusalCode(resolver, created.key)).toBe('API_KEY_REVOKED');
  });

  it('refuses a key once its expiry has passed', async () => {
    const created = await create(await t.admin(), { name: 'short-lived', expiresAt: inOneHour() });
    const { resolver: today } = gatewaySide();
    expect((await today.resolve({ authorization: `Bearer ${created.key}` }))?.keyId).toBe(created.id);
    const { resolver: later } = gatewaySide({ now: () => new Date(Date.now() + 2 * 3600_000) });
    expect(await refusalCode(later, created.key)).toBe('API_KEY_EXPIRED');
  });

  it("refuses a disabled user's key within the user cache's 1 s, and takes it back when re-enabled", async () => {
    const viewer = await t.userWithRole('viewer');
    const created = await create(viewer.headers, { name: 'owner-disabled' });
    let offsetMs = 0;
    const { resolver } = gatewaySide({ now: () => new Date(Date.now() + offsetMs) });
    await resolver.resolve({ authorization: `Bearer ${created.key}` });
    const disable = await call('PATCH', `/api/users/${viewer.id}`, await t.admin(), { disabled: true });
    expect(disable.statusCode).toBe(200);
    offsetMs += 1000;
    expect(await refusalCode(resolver, created.key)).toBe('USER_DISABLED');
    await call('PATCH', `/api/users/${viewer.id}`, await t.admin(), { disabled: false });
    offsetMs += 1000;
    expect((await resolver.resolve({ authorization: `Bearer ${created.key}` }))?.userId).toBe(viewer.id);
  });

  it('refuses an unknown key of the right form with 401 INVALID_API_KEY', async () => {
    const { resolver } = gatewaySide();
    expect(await refusalCode(resolver, `sk-hmas-${'x'.repeat(43)}`)).toBe('INVALID_API_KEY');
  });

  it('records lastUsedAt in a batch, not while resolving', async () => {
    const created = await create(await t.admin(), { name: 'used' });
    const usage = createApiKeyUsageRecorder({ touch: (uses) => createApiKeyRepo(t.database.handle.db).touchLastUsed(uses) });
    const { resolver } = gatewaySide({ usage });
    await resolver.resolve({ authorization: `Bearer ${created.key}` });
    await resolver.resolve({ authorization: `Bearer ${created.key}` });
    const before = await call('GET', `/api/api-keys/${created.id}`, await t.admin());
    expect(before.json<ApiKey>().lastUsedAt).toBeNull();
    await usage.flush();
    const after = await call('GET', `/api/api-keys/${created.id}`, await t.admin());
    expect(after.json<ApiKey>().lastUsedAt).not.toBeNull();
    expect(usage.pending).toBe(0);
  });

  it('refuses a 101st key that is not revoked with 409 TOO_MANY_API_KEYS', async () => {
    const viewer = await t.userWithRole('viewer');
    const service = createApiKeyService({ repo: createApiKeyRepo(t.database.handle.db), maxKeysPerUser: 2 });
    const actor = { userId: viewer.id, username: 'viewer', role: 'viewer' as const };
    const first = await service.create(actor, { name: 'one' });
    await service.create(actor, { name: 'two' });
    await expect(service.create(actor, { name: 'three' })).rejects.toMatchObject({ code: 'TOO_MANY_API_KEYS', statusCode: 409 });
    await service.revoke(actor, first.id);
    await expect(service.create(actor, { name: 'three' })).resolves.toMatchObject({ name: 'three' });
  });

  it.skipIf(!REDIS_URL)('with Redis, a revocation through one instance is refused by another at once', async () => {
    const prefix = `hmas-test-${process.pid}-${randomBytes(4).toString('hex')}:`;
    const remoteInvalidations: Array<() => void> = [];
    const one = gatewaySide({ redisUrl: REDIS_URL, redisKeyPrefix: prefix });
    const other = gatewaySide({
      redisUrl: REDIS_URL,
      redisKeyPrefix: prefix,
      onInvalidated: (_keyId, source) => {
        if (source === 'remote') remoteInvalidations.splice(0).forEach((resolve) => resolve());
      },
    });
    await Promise.all([one.resolver.ready, other.resolver.ready]);
    const viewer = await t.userWithRole('viewer');
    const created = await create(viewer.headers, { name: 'shared' });
    const header = { authorization: `Bearer ${created.key}` };
    expect((await one.resolver.resolve(header))?.keyId).toBe(created.id);
    expect((await other.resolver.resolve(header))?.keyId).toBe(created.id);

    const heard = new Promise<void>((resolve) => remoteInvalidations.push(resolve));
    await one.service.revoke({ userId: viewer.id, username: 'viewer', role: 'viewer' }, created.id);
    await heard;
    expect(await refusalCode(other.resolver, created.key)).toBe('API_KEY_REVOKED');
    expect(await refusalCode(one.resolver, created.key)).toBe('API_KEY_REVOKED');
  });
});
