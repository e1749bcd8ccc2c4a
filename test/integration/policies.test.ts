import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from '../support/tiny-model.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';

const KINDS = [
  {
    path: '/api/resource-profiles',
    action: 'resource_profile',
    valid: { name: 'h100-x2', gpuCount: 2, gpuType: 'NVIDIA-H100-80GB-HBM3', gpuMemoryGiB: 80, cpu: '16', memory: '128Gi', volumeSize: '500Gi' },
    change: { gpuCount: 4 },
    invalid: { name: 'bad', gpuCount: -1, cpu: 'lots', memory: '1Gi' },
    invalidMessage: /cpu must be a Kubernetes quantity/,
  },
  {
    path: '/api/placement-strategies',
    action: 'placement_strategy',
    valid: { name: 'hp-us', matchLabels: { region: 'us-east' }, clusterTypes: ['HP'], minFreeGpus: 2 },
    change: { preference: 'least-free-gpus' },
    invalid: { name: 'bad', matchLabels: { 'bad key!': 'x' } },
    invalidMessage: /label key/,
  },
  {
    path: '/api/failover-policies',
    action: 'failover_policy',
    valid: { name: 'move-after-5m', action: 're-place', gracePeriodSeconds: 300 },
    change: { action: 'keep' },
    invalid: { name: 'bad', action: 'explode' },
    invalidMessage: /action/,
  },
] as const;

describe.each(testBackends())('policies (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => t?.close());

  describe.each(KINDS)('$path', (kind) => {
    it('creates, lists, reads, changes and deletes, with an audit entry for each change', async () => {
      const operator = await t.userWithRole('operator');
      const created = await t.app.inject({ method: 'POST', url: kind.path, headers: operator.headers, payload: kind.valid });
      expect(created.statusCode, created.body).toBe(201);
      const body = created.json<{ id: string; name: string; description: string }>();
      expect(body).toMatchObject({ ...kind.valid, description: '' });

      const list = await t.app.inject({ method: 'GET', url: kind.path, headers: operator.headers });
      expect(list.json().items).toContainEqual(expect.objectContaining({ id: body.id, name: kind.valid.name }));

      const patched = await t.app.inject({ method: 'PATCH', url: `${kind.path}/${body.id}`, headers: operator.headers, payload: kind.change });
      expect(patched.statusCode, patched.body).toBe(200);
      // Only the named field changed; the rest is kept (no defaults re-applied).
      expect(patched.json()).toMatchObject({ ...kind.valid, ...kind.change });

      expect((await t.app.inject({ method: 'DELETE', url: `${kind.path}/${body.id}`, headers: operator.headers })).statusCode).toBe(204);
      expect((await t.app.inject({ method: 'GET', url: `${kind.path}/${body.id}`, headers: operator.headers })).statusCode).toBe(404);

      const audit = await t.app.inject({ method: 'GET', url: `/api/audit-logs?action=${kind.action}.`, headers: await t.admin() });
      expect(audit.json<{ items: Array<{ action: string }> }>().items.map((e) => e.action)).toEqual(
        expect.arrayContaining([`${kind.action}.create`, `${kind.action}.update`, `${kind.action}.delete`]),
      );
    });

    it('refuses invalid settings with a message naming the field', async () => {
      const response = await t.app.inject({ method: 'POST', url: kind.path, headers: await t.admin(), payload: kind.invalid });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
      expect(response.json().error.message).toMatch(kind.invalidMessage);
    });

    it('answers 409 POLICY_NAME_TAKEN for a second one with the same name', async () => {
      const headers = await t.admin();
      const payload = { ...kind.valid, name: `dup-${kind.action.replace(/_/g, '-')}` };
      expect((await t.app.inject({ method: 'POST', url: kind.path, headers, payload })).statusCode).toBe(201);
      const again = await t.app.inject({ method: 'POST', url: kind.path, headers, payload });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('POLICY_NAME_TAKEN');
    });

    it('lets viewers read but not change', async () => {
      const viewer = await t.userWithRole('viewer');
      expect((await t.app.inject({ method: 'GET', url: kind.path, headers: viewer.headers })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'POST', url: kind.path, headers: viewer.headers, payload: kind.valid })).statusCode).toBe(403);
    });
  });

  it('refuses to delete a failover policy a placement strategy uses (409 POLICY_IN_USE), and allows it once unused', async () => {
    const headers = await t.admin();
    const failover = (await t.app.inject({ method: 'POST', url: '/api/failover-policies', headers, payload: { name: 'keep-it', action: 'keep' } })).json<{ id: string }>();
    const strategy = await t.app.inject({ method: 'POST', url: '/api/placement-strategies', headers, payload: { name: 'uses-keep-it', failoverPolicyId: failover.id } });
    expect(strategy.statusCode).toBe(201);

    const refused = await t.app.inject({ method: 'DELETE', url: `/api/failover-policies/${failover.id}`, headers });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'POLICY_IN_USE', details: { usedBy: ['placement strategy "uses-keep-it"'] } });
    expect(refused.json().error.message).toContain('uses-keep-it');

    await t.app.inject({ method: 'PATCH', url: `/api/placement-strategies/${strategy.json().id}`, headers, payload: { failoverPolicyId: null } });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/failover-policies/${failover.id}`, headers })).statusCode).toBe(204);
  });

  it('clears an optional resource profile setting with null', async () => {
    const headers = await t.admin();
    const created = await t.app.inject({ method: 'POST', url: '/api/resource-profiles', headers, payload: { name: 'clear-me', gpuCount: 1, gpuType: 'L40S', cpu: '4', memory: '8Gi' } });
    const cleared = await t.app.inject({ method: 'PATCH', url: `/api/resource-profiles/${created.json().id}`, headers, payload: { gpuType: null } });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).not.toHaveProperty('gpuType');
    expect(cleared.json()).toMatchObject({ gpuCount: 1, cpu: '4' });
  });

  it('refuses a placement strategy that names a failover policy that does not exist', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/placement-strategies',
      headers: await t.admin(),
      payload: { name: 'dangling', failoverPolicyId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('No failover policy');
  });

  describe('federation spread (Karmada member clusters of a placement strategy)', () => {
    const spread = (members: unknown[], extra: Record<string, unknown> = {}) => ({ members, ...extra });

    it('stores the member clusters with defaults, shows them, and clears them with null', async () => {
      const headers = await t.admin();
      const profile = (await t.app.inject({ method: 'POST', url: '/api/resource-profiles', headers, payload: { name: 'west-small', gpuCount: 0, cpu: '1', memory: '2Gi' } })).json<{ id: string }>();
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/placement-strategies',
        headers,
        payload: { name: 'east-west', federation: spread([{ name: 'east', weight: 2 }, { name: 'west', resourceProfileId: profile.id, imageRegistry: 'registry.west:5000' }]) },
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json().federation).toEqual({
        members: [{ name: 'east', weight: 2 }, { name: 'west', resourceProfileId: profile.id, imageRegistry: 'registry.west:5000' }],
        replicaScheduling: 'Divided',
        dynamicWeight: false,
      });
      // A strategy without the block answers null (stored before the block existed, too).
      expect((await t.app.inject({ method: 'POST', url: '/api/placement-strategies', headers, payload: { name: 'plain' } })).json().federation).toBeNull();

      // The member's resource profile is in use while the strategy names it.
      const refused = await t.app.inject({ method: 'DELETE', url: `/api/resource-profiles/${profile.id}`, headers });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toMatchObject({ code: 'POLICY_IN_USE', details: { usedBy: ['placement strategy "east-west"'] } });

      const cleared = await t.app.inject({ method: 'PATCH', url: `/api/placement-strategies/${created.json().id}`, headers, payload: { federation: null } });
      expect(cleared.statusCode, cleared.body).toBe(200);
      expect(cleared.json().federation).toBeNull();
      expect((await t.app.inject({ method: 'DELETE', url: `/api/resource-profiles/${profile.id}`, headers })).statusCode).toBe(204);
    });

    it('refuses members that are not DNS labels, repeated, missing, or with a resource profile that does not exist', async () => {
      const headers = await t.admin();
      const attempt = (federation: unknown) => t.app.inject({ method: 'POST', url: '/api/placement-strategies', headers, payload: { name: 'bad-spread', federation } });
      const cases: Array<[unknown, RegExp]> = [
        [spread([]), /at least one member cluster/],
        [spread([{ name: 'east' }, { name: 'east' }]), /Each member cluster may appear once/],
        [spread([{ name: 'East_1' }]), /DNS-1123/],
        [spread([{ name: 'east', imageRegistry: 'https://mirror' }]), /registry mirror is a host name/],
        [spread([{ name: 'east', weight: 0 }]), /weight|>=1|too small/i],
        [spread([{ name: 'east' }], { replicaScheduling: 'Sprinkled' }), /replicaScheduling|Divided/],
        [spread([{ name: 'east', extra: true }]), /extra|Unrecognized/i],
      ];
      for (const [federation, message] of cases) {
        const response = await attempt(federation);
        expect(response.statusCode, JSON.stringify(federation)).toBe(400);
        expect(response.json().error.code).toBe('VALIDATION_FAILED');
        expect(JSON.stringify(response.json().error), JSON.stringify(federation)).toMatch(message);
      }
      const dangling = await attempt(spread([{ name: 'east', resourceProfileId: '00000000-0000-4000-8000-000000000000' }]));
      expect(dangling.statusCode).toBe(400);
      expect(dangling.json().error.message).toContain('No resource profile');
      expect(dangling.json().error.message).toContain('"east"');
    });

    it('places a deployment whose strategy spreads over Karmada members only on a federation cluster (409 NO_CLUSTER_MATCHES without one)', async () => {
      const headers = await t.admin();
      const strategy = (await t.app.inject({ method: 'POST', url: '/api/placement-strategies', headers, payload: { name: 'karmada-only', federation: spread([{ name: 'east' }]) } })).json<{ id: string }>();
      const dir = await mkdtemp(path.join(tmpdir(), 'hmas-spread-'));
      await writeTinyModel(path.join(dir, 'tiny.gguf'));
      const model = await t.app.inject({ method: 'POST', url: '/api/models', headers, payload: { name: 'spread-model', localPath: path.join(dir, 'tiny.gguf') } });
      expect(model.statusCode, model.body).toBe(201);
      await rm(dir, { recursive: true, force: true });
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/deployments',
        headers,
        payload: { name: 'spread-me', modelId: model.json().id, placementStrategyId: strategy.id, runtime: 'embedded-llamacpp', replicas: 1 },
      });
      expect(response.statusCode, response.body).toBe(409);
      expect(response.json().error.code).toBe('NO_CLUSTER_MATCHES');
    });
  });
});
