import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Who may call what, for every route of the control API. The table pins each route's minimum
 * role; the test checks it against the routes the server really serves (its OpenAPI document),
 * so a new route cannot ship without a line here, and a route whose access is loosened fails.
 * Access is checked before the body is read, so every caller sends the same empty body.
 */

type Access = 'public' | 'viewer' | 'operator' | 'admin';
type Caller = 'anonymous' | 'viewer' | 'operator' | 'admin';

const MINIMUM_ROLE: Record<string, Access> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': 'public',
  'GET /api/auth/me': 'viewer',
  'GET /api/users': 'viewer',
  'POST /api/users': 'admin',
  'PATCH /api/users/me': 'viewer',
  'POST /api/users/me/password': 'viewer',
  'GET /api/users/{id}': 'viewer',
  'PATCH /api/users/{id}': 'admin',
  'DELETE /api/users/{id}': 'admin',
  'GET /api/audit-logs': 'viewer',
  // Loop error messages and this instance's leadership: internals, for admins.
  'GET /api/system/loops': 'admin',
  'GET /api/clusters': 'viewer',
  // Registering and testing a cluster sends credentials to a URL the caller names.
  'POST /api/clusters': 'admin',
  'POST /api/clusters/test': 'admin',
  'GET /api/clusters/{name}': 'viewer',
  // Changing the connection is admin-only too (checked in the service); labels stay with operators.
  'PATCH /api/clusters/{name}': 'operator',
  'DELETE /api/clusters/{name}': 'operator',
  'POST /api/clusters/{name}/test': 'admin',
  'POST /api/clusters/{name}/agent-token': 'admin',
  'GET /api/clusters/{name}/warmer': 'viewer',
  'GET /api/clusters/{name}/gpu-metrics': 'viewer',
  'GET /api/metrics/summary': 'viewer',
  'GET /api/resource-profiles': 'viewer',
  'POST /api/resource-profiles': 'operator',
  'GET /api/resource-profiles/{id}': 'viewer',
  'PATCH /api/resource-profiles/{id}': 'operator',
  'DELETE /api/resource-profiles/{id}': 'operator',
  'GET /api/placement-strategies': 'viewer',
  'POST /api/placement-strategies': 'operator',
  'GET /api/placement-strategies/{id}': 'viewer',
  'PATCH /api/placement-strategies/{id}': 'operator',
  'DELETE /api/placement-strategies/{id}': 'operator',
  'GET /api/failover-policies': 'viewer',
  'POST /api/failover-policies': 'operator',
  'GET /api/failover-policies/{id}': 'viewer',
  'PATCH /api/failover-policies/{id}': 'operator',
  'DELETE /api/failover-policies/{id}': 'operator',
  'GET /api/runtimes': 'viewer',
  'GET /api/runtimes/{runtime}': 'viewer',
  'POST /api/runtimes/{runtime}/render': 'viewer',
  'GET /api/optimization-presets': 'viewer',
  'POST /api/optimization-presets': 'operator',
  'GET /api/optimization-presets/{id}': 'viewer',
  'PATCH /api/optimization-presets/{id}': 'operator',
  'DELETE /api/optimization-presets/{id}': 'operator',
  'GET /api/models': 'viewer',
  'POST /api/models': 'operator',
  'POST /api/models/import/huggingface': 'operator',
  'GET /api/models/{id}': 'viewer',
  'PATCH /api/models/{id}': 'operator',
  'DELETE /api/models/{id}': 'operator',
  'GET /api/models/{id}/fit': 'viewer',
  'POST /api/models/{id}/download': 'operator',
  'GET /api/models/{id}/download': 'viewer',
  'GET /api/model-presets': 'viewer',
  'POST /api/model-presets/{presetId}/add': 'operator',
  'GET /api/deployments': 'viewer',
  'POST /api/deployments': 'operator',
  'GET /api/deployments/{id}': 'viewer',
  'PATCH /api/deployments/{id}': 'operator',
  'DELETE /api/deployments/{id}': 'operator',
  'POST /api/deployments/{id}/pause': 'operator',
  'POST /api/deployments/{id}/resume': 'operator',
  'GET /api/deployments/{id}/events': 'viewer',
  'GET /api/deployments/{id}/events/history': 'viewer',
  'GET /api/deployments/{id}/metrics': 'viewer',
  'GET /api/deployments/{id}/metrics/history': 'viewer',
  'GET /api/deployments/{id}/logs': 'viewer',
  'GET /api/deployments/{id}/rollout': 'viewer',
  'GET /api/deployments/{id}/rollouts': 'viewer',
  'POST /api/deployments/{id}/rollout/rollback': 'operator',
  'GET /api/deployments/{id}/config-history': 'viewer',
  'GET /api/deployments/{id}/config-history/{historyId}': 'viewer',
  'POST /api/deployments/{id}/config-history/{historyId}/rollback': 'operator',
  'GET /api/deployments/{id}/failovers': 'viewer',
  'GET /api/rate-limits': 'viewer',
  'POST /api/api-keys': 'viewer',
  'GET /api/api-keys': 'viewer',
  'GET /api/api-keys/{id}': 'viewer',
  'PATCH /api/api-keys/{id}': 'viewer',
  'DELETE /api/api-keys/{id}': 'viewer',
  // Owner or admin (someone else's key answers 404, as for the key itself).
  'GET /api/api-keys/{id}/metrics': 'viewer',
  'GET /api/inference-logs': 'viewer',
  // Where every replica listens; also open to monitoring-scoped keys of operators (prometheus-sd.test.ts).
  'GET /api/prometheus/sd': 'operator',
  // Names and metadata only: no route returns a value.
  'GET /api/secrets': 'viewer',
  'POST /api/secrets': 'operator',
  'GET /api/secrets/{name}': 'viewer',
  'POST /api/secrets/{name}/rotate': 'operator',
  'DELETE /api/secrets/{name}': 'operator',
  // Costs: every role reads reports and prices (a viewer sees other users' keys as one row); prices are admins'.
  'GET /api/costs': 'viewer',
  'GET /api/settings/gpu-prices': 'viewer',
  'PUT /api/settings/gpu-prices/{model}': 'admin',
  'DELETE /api/settings/gpu-prices/{model}': 'admin',
};

const RANK: Record<Caller, number> = { anonymous: 0, viewer: 1, operator: 2, admin: 3 };
const NEEDS: Record<Access, number> = { public: 0, viewer: 1, operator: 2, admin: 3 };
const CALLERS: Caller[] = ['anonymous', 'viewer', 'operator', 'admin'];

function concretePath(template: string): string {
  return template
    .replaceAll('{id}', randomUUID())
    .replaceAll('{name}', 'no-such-cluster')
    .replaceAll('{runtime}', 'vllm')
    .replaceAll('{presetId}', 'no-such-preset')
    .replaceAll('{model}', 'NVIDIA%20No%20Such%20GPU');
}

// One backend: access is decided before any query runs.
describe('role matrix', () => {
  let t: TestApp;
  let served: string[];
  const headers: Partial<Record<Caller, { authorization: string }>> = {};

  beforeAll(async () => {
    t = await createTestApp('pglite');
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    served = Object.entries(spec.paths).flatMap(([route, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${route}`));
    headers.viewer = (await t.userWithRole('viewer', 'matrix-viewer')).headers;
    headers.operator = (await t.userWithRole('operator', 'matrix-operator')).headers;
    headers.admin = (await t.userWithRole('admin', 'matrix-admin')).headers;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('pins the access of every route the server serves, and no other', () => {
    expect(served.filter((route) => !(route in MINIMUM_ROLE)), 'routes without a line in MINIMUM_ROLE').toEqual([]);
    expect(Object.keys(MINIMUM_ROLE).filter((route) => !served.includes(route)), 'lines for routes that are gone').toEqual([]);
  });

  // Sign-out ends the caller's session, so it goes last.
  const routes = Object.entries(MINIMUM_ROLE).sort(([a], [b]) => Number(a === 'POST /api/auth/logout') - Number(b === 'POST /api/auth/logout'));
  const cases = routes.flatMap(([route, access]) => CALLERS.map((caller) => ({ route, access, caller })));

  it.each(cases)('$route as $caller (needs $access)', async ({ route, access, caller }) => {
    const [method, template] = route.split(' ') as ['GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', string];
    // Sign-out with a fresh session of that role, so the shared ones stay valid.
    const auth = caller === 'anonymous' ? {} : route === 'POST /api/auth/logout' ? await t.login(`matrix-${caller}`, `matrix-${caller}-password`) : headers[caller]!;
    const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    const response = await t.app.inject({ method, url: concretePath(template), headers: auth, ...(withBody ? { payload: {} } : {}) });
    const allowed = RANK[caller] >= NEEDS[access];
    if (allowed) {
      expect([401, 403], `${route} refused ${caller}: ${response.body}`).not.toContain(response.statusCode);
      expect(response.statusCode, response.body).toBeLessThan(500);
    } else if (caller === 'anonymous') {
      expect(response.statusCode, response.body).toBe(401);
      expect(response.json().error.code).toBe('UNAUTHENTICATED');
    } else {
      expect(response.statusCode, response.body).toBe(403);
      expect(response.json().error.code).toBe('FORBIDDEN');
    }
  });
});
