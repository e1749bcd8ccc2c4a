import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';

interface Entry {
  action: string;
  actorUsername: string | null;
  resourceType: string;
  resourceId: string | null;
  outcome: string;
  statusCode: number;
  clientIp: string | null;
  requestId: string | null;
  summary: string;
  createdAt: string;
}

describe.each(testBackends())('audit log (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => t?.close());

  const list = async (query: string) => {
    const response = await t.app.inject({ method: 'GET', url: `/api/audit-logs${query}`, headers: await t.admin() });
    expect(response.statusCode).toBe(200);
    return response.json<{ items: Entry[]; total: number; limit: number; offset: number }>();
  };

  it('records a mutating call with actor, action, resource, outcome, address and request id — and no secrets', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { ...(await t.admin()), 'x-request-id': 'trace-123' },
      remoteAddress: '192.0.2.10',
      payload: { username: 'audited', role: 'viewer', password: 'super-secret-value' },
    });
    expect(created.statusCode).toBe(201);
    const page = await list('?action=user.create');
    const entry = page.items.find((item) => item.resourceId === created.json().id);
    expect(entry).toMatchObject({
      action: 'user.create',
      actorUsername: 'admin',
      resourceType: 'user',
      outcome: 'success',
      statusCode: 201,
      clientIp: '192.0.2.10',
      requestId: 'trace-123',
    });
    expect(entry?.summary).toContain('audited');
    const everything = JSON.stringify(await list('?limit=500'));
    expect(everything).not.toContain('super-secret-value');
    expect(everything).not.toContain('admin-password-for-tests');
  });

  it('records refused calls as failures, including failed logins', async () => {
    const viewer = await t.userWithRole('viewer', 'sneaky');
    await t.app.inject({ method: 'POST', url: '/api/users', headers: viewer.headers, payload: { username: 'x-sneaky', role: 'admin', password: 'x-sneaky-password' } });
    await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'sneaky', password: 'wrong-password' } });
    const refused = (await list('?actor=sneaky')).items;
    expect(refused.find((e) => e.action === 'user.create')).toMatchObject({ outcome: 'failure', statusCode: 403 });
    expect(refused.find((e) => e.action === 'auth.login' && e.outcome === 'failure')).toMatchObject({ statusCode: 401 });
    expect(refused.find((e) => e.action === 'auth.login' && e.outcome === 'success')).toBeTruthy();
  });

  it('filters by action prefix, actor and time range, newest first, with pagination', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    await t.userWithRole('operator', 'pager-1');
    await t.userWithRole('operator', 'pager-2');
    const after = new Date(Date.now() + 1000).toISOString();

    const userActions = await list(`?action=user.&from=${encodeURIComponent(before)}&to=${encodeURIComponent(after)}`);
    expect(userActions.items.every((e) => e.action.startsWith('user.'))).toBe(true);
    expect(userActions.items.map((e) => e.summary).join(' ')).toMatch(/pager-2[\s\S]*pager-1/);

    const firstPage = await list('?limit=2&offset=0');
    const secondPage = await list('?limit=2&offset=2');
    expect(firstPage.items).toHaveLength(2);
    expect(firstPage.total).toBe(secondPage.total);
    expect(firstPage.items[0]!.createdAt >= firstPage.items[1]!.createdAt).toBe(true);
    expect(firstPage.items[1]!.createdAt >= secondPage.items[0]!.createdAt).toBe(true);

    expect((await list('?actor=nobody-at-all')).total).toBe(0);
    const future = await list(`?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
    expect(future.items).toEqual([]);
  });

  it('lets every role read the audit log', async () => {
    const viewer = await t.userWithRole('viewer');
    const response = await t.app.inject({ method: 'GET', url: '/api/audit-logs', headers: viewer.headers });
    expect(response.statusCode).toBe(200);
  });
});
