import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';

interface UserBody {
  id: string;
  username: string;
  displayName: string;
  role: string;
  disabled: boolean;
}

describe.each(testBackends())('users and roles (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => t?.close());

  it('lets an admin create, read, update and delete a user', async () => {
    const admin = await t.admin();
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: admin,
      payload: { username: 'Alice', displayName: 'Alice A.', role: 'operator', password: 'alice-password' },
    });
    expect(created.statusCode).toBe(201);
    const alice = created.json<UserBody>();
    expect(alice).toMatchObject({ username: 'alice', displayName: 'Alice A.', role: 'operator', disabled: false });
    expect(created.body).not.toMatch(/password/i);

    const fetched = await t.app.inject({ method: 'GET', url: `/api/users/${alice.id}`, headers: admin });
    expect(fetched.json()).toEqual(alice);

    const patched = await t.app.inject({ method: 'PATCH', url: `/api/users/${alice.id}`, headers: admin, payload: { role: 'viewer', displayName: 'Alice' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ role: 'viewer', displayName: 'Alice' });

    const list = await t.app.inject({ method: 'GET', url: '/api/users?limit=1&offset=0', headers: admin });
    expect(list.json()).toMatchObject({ total: 2, limit: 1, offset: 0 });
    expect(list.json().items).toHaveLength(1);

    expect((await t.app.inject({ method: 'DELETE', url: `/api/users/${alice.id}`, headers: admin })).statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'GET', url: `/api/users/${alice.id}`, headers: admin });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('USER_NOT_FOUND');
  });

  it('answers 409 USERNAME_TAKEN for a duplicate username, whatever its case', async () => {
    await t.userWithRole('viewer', 'dupe');
    const again = await t.app.inject({ method: 'POST', url: '/api/users', headers: await t.admin(), payload: { username: 'DUPE', role: 'viewer', password: 'another-password' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('USERNAME_TAKEN');
  });

  it('lets viewers read but not change users (403, not 401)', async () => {
    const viewer = await t.userWithRole('viewer');
    expect((await t.app.inject({ method: 'GET', url: '/api/users', headers: viewer.headers })).statusCode).toBe(200);
    const create = await t.app.inject({ method: 'POST', url: '/api/users', headers: viewer.headers, payload: { username: 'nope', role: 'viewer', password: 'nope-password' } });
    expect(create.statusCode).toBe(403);
    expect(create.json().error.code).toBe('FORBIDDEN');
  });

  it('lets operators manage resources but not users', async () => {
    const operator = await t.userWithRole('operator');
    const target = await t.userWithRole('viewer');
    for (const request of [
      { method: 'POST' as const, url: '/api/users', payload: { username: 'x-op', role: 'viewer', password: 'x-op-password' } },
      { method: 'PATCH' as const, url: `/api/users/${target.id}`, payload: { role: 'admin' } },
      { method: 'DELETE' as const, url: `/api/users/${target.id}` },
    ]) {
      const response = await t.app.inject({ ...request, headers: operator.headers });
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(403);
    }
  });

  it('never leaves the system without an active admin', async () => {
    const admin = await t.admin();
    const me = (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: admin })).json<{ user: UserBody }>().user;
    for (const payload of [{ role: 'operator' }, { disabled: true }]) {
      const response = await t.app.inject({ method: 'PATCH', url: `/api/users/${me.id}`, headers: admin, payload });
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('LAST_ADMIN');
    }
    const selfDelete = await t.app.inject({ method: 'DELETE', url: `/api/users/${me.id}`, headers: admin });
    expect(selfDelete.json().error.code).toBe('CANNOT_DELETE_SELF');

    // With a second admin, the first may step down.
    const second = await t.userWithRole('admin', 'second-admin');
    const demote = await t.app.inject({ method: 'PATCH', url: `/api/users/${me.id}`, headers: second.headers, payload: { role: 'admin', displayName: 'Still admin' } });
    expect(demote.statusCode).toBe(200);
    const lastOther = await t.app.inject({ method: 'DELETE', url: `/api/users/${second.id}`, headers: admin });
    expect(lastOther.statusCode).toBe(204);
  });

  it('lets anyone change their own display name and password', async () => {
    const viewer = await t.userWithRole('viewer', 'self-service');
    const profile = await t.app.inject({ method: 'PATCH', url: '/api/users/me', headers: viewer.headers, payload: { displayName: 'Self Service' } });
    expect(profile.statusCode).toBe(200);
    expect(profile.json()).toMatchObject({ username: 'self-service', displayName: 'Self Service', role: 'viewer' });
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/users/me/password',
      headers: viewer.headers,
      payload: { currentPassword: 'not-it', newPassword: 'new-password-1' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe('INVALID_CURRENT_PASSWORD');
    const roleEscalation = await t.app.inject({ method: 'PATCH', url: '/api/users/me', headers: viewer.headers, payload: { role: 'admin' } });
    expect(roleEscalation.statusCode).toBe(400);
  });

  it('admin password reset works and the user signs in with it', async () => {
    const user = await t.userWithRole('operator', 'reset-me');
    const reset = await t.app.inject({ method: 'PATCH', url: `/api/users/${user.id}`, headers: await t.admin(), payload: { password: 'reset-password-1' } });
    expect(reset.statusCode).toBe(200);
    await expect(t.login('reset-me', 'reset-password-1')).resolves.toHaveProperty('authorization');
  });
});
