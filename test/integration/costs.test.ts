import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusters, deployments, gpuUsage as gpuUsageTable, inferenceLogs } from '../../src/db/schema/index.js';
import type { CostReport, CostRow, GpuPriceList } from '../../src/domain/costs.js';
import { createLogger } from '../../src/lib/logger.js';
import { gpuUsage } from '../../src/reconcilers/gpu-usage.js';
import { insertServedDeployment } from '../support/fake-deployment.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';

const logger = createLogger({ level: 'silent', pretty: false });
const H100 = 'NVIDIA H100 80GB HBM3';
/** 10:59:00 UTC: the second minute of counting crosses into the next hour. */
const T0 = Date.parse('2030-03-01T10:59:00Z');
const SECOND = 1000;

/** The local cluster's inventory, as nvidia-smi on an 8 × H100 host would give it. */
const inventory = {
  collectedAt: new Date(T0).toISOString(),
  nodes: [{ name: 'gpu-host', ready: true, gpus: [{ model: H100, memoryMiB: 81559, count: 8 }], gpuAllocatable: 8, gpuAllocated: 0, cpuCores: 64, memoryBytes: 2 ** 40 }],
  totals: { nodes: 1, readyNodes: 1, gpus: 8, gpuAllocatable: 8, gpuAllocated: 0, gpuMemoryMiB: 8 * 81559, cpuCores: 64, memoryBytes: 2 ** 40 },
  notes: [],
};

describe.each(testBackends())('costs (%s)', (backend) => {
  let a: TestApp;
  let b: TestApp;
  let clockA = T0;
  let clockB = T0;
  let admin: { authorization: string };
  let viewer: { id: string; headers: { authorization: string } };
  const removals: Array<() => Promise<void>> = [];
  let big: { id: string };
  let small: { id: string };
  let paused: { id: string };
  let adminKey: { id: string };
  let viewerKey: { id: string };

  const tickA = () => gpuUsage({ usage: a.gpuUsage, logger }).tick(new AbortController().signal);
  const tickB = () => gpuUsage({ usage: b.gpuUsage, logger }).tick(new AbortController().signal);
  /** GPU-seconds recorded for a deployment, all hours together. */
  const seconds = async (deploymentId: string) =>
    (await a.database.handle.db.select().from(gpuUsageTable).where(eq(gpuUsageTable.deploymentId, deploymentId))).reduce((sum, row) => sum + row.gpuSeconds, 0);
  const report = async (query: string, headers = admin) => {
    const response = await a.app.inject({ method: 'GET', url: `/api/costs?${query}`, headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<CostReport>();
  };
  /** Whole hours around the counts (10:00 to 13:00). */
  const range = 'from=2030-03-01T10:00:00Z&to=2030-03-01T13:00:00Z';
  const row = (rows: CostRow[], name: string) => rows.find((each) => each.name === name);

  beforeAll(async () => {
    a = await createTestApp(backend, {}, { now: () => new Date(clockA) });
    // A second instance on the same database: the leader after a change.
    b = await createTestApp(backend, {}, { database: { ...a.database, drop: async () => undefined }, now: () => new Date(clockB) });
    admin = await a.admin();
    viewer = await a.userWithRole('viewer', 'cost-viewer');
    await a.database.handle.db.update(clusters).set({ inventory }).where(eq(clusters.name, 'local'));
    const served = async (name: string, replicas: number, options: { paused?: boolean } = {}) => {
      const inserted = await insertServedDeployment(a.database.handle, name, Array.from({ length: replicas }, (_, i) => `http://127.0.0.1:${9 + i}`), options);
      removals.push(inserted.remove);
      return inserted;
    };
    big = await served('cost-big', 2);
    small = await served('cost-small', 1);
    paused = await served('cost-paused', 1, { paused: true });
    adminKey = await a.apiKey({ name: '=HYPERLINK("x","y")' });
    viewerKey = await a.apiKey({ name: 'viewer-key' }, viewer.headers);
  });
  afterAll(async () => {
    for (const remove of removals) await remove();
    await b?.close();
    await a?.close();
  });

  it('counts ready replicas × GPUs per replica over the time since the last count, split by hour, paused deployments none', async () => {
    await tickA(); // first count: only notes the time
    expect(await seconds(big.id)).toBe(0);
    clockA = T0 + 60 * SECOND;
    await tickA();
    expect(await seconds(big.id)).toBeCloseTo(120); // 2 replicas × 1 GPU × 60 s
    expect(await seconds(small.id)).toBeCloseTo(60);
    expect(await seconds(paused.id)).toBe(0);
    clockA = T0 + 120 * SECOND;
    await tickA();
    const hours = await a.database.handle.db.select().from(gpuUsageTable).where(eq(gpuUsageTable.deploymentId, big.id));
    expect(hours.map((each) => [each.hour.toISOString(), each.gpuSeconds, each.gpuModel, each.clusterName]).sort()).toEqual([
      ['2030-03-01T10:00:00.000Z', 120, H100, 'local'],
      ['2030-03-01T11:00:00.000Z', 120, H100, 'local'],
    ]);
  });

  it('never counts a second twice across two instances, and counts at most two minutes of a gap', async () => {
    // The other instance counts at the same moment: nothing new.
    clockB = T0 + 120 * SECOND;
    await tickB();
    expect(await seconds(big.id)).toBeCloseTo(240);
    // Leadership moves to B, which goes on from A's last count.
    clockB = T0 + 150 * SECOND;
    await tickB();
    expect(await seconds(big.id)).toBeCloseTo(300);
    // A's clock lags B's: a count "before" the last one adds nothing and does not move it back.
    clockA = T0 + 140 * SECOND;
    await tickA();
    expect(await seconds(big.id)).toBeCloseTo(300);
    // Ten minutes without a count (no leader): two minutes of it are counted.
    clockA = T0 + 750 * SECOND;
    await tickA();
    expect(await seconds(big.id)).toBeCloseTo(300 + 2 * 120);
  });

  it('counts a resumed deployment from its resume on, not the time it was paused', async () => {
    await a.database.handle.db.update(deployments).set({ paused: false, status: 'running' }).where(eq(deployments.id, paused.id));
    clockA = T0 + 810 * SECOND;
    await tickA();
    expect(await seconds(paused.id)).toBeCloseTo(60);
  });

  it('lists inventory GPU models with blank prices, and admins set one (one currency, validated)', async () => {
    const before = (await a.app.inject({ method: 'GET', url: '/api/settings/gpu-prices', headers: viewer.headers })).json<GpuPriceList>();
    expect(before).toEqual({ currency: null, items: [{ gpuModel: H100, pricePerGpuHour: null, currency: null, updatedAt: null, updatedBy: null, clusters: ['local'], gpus: 8 }] });
    const url = `/api/settings/gpu-prices/${encodeURIComponent(H100)}`;
    const forbidden = await a.app.inject({ method: 'PUT', url, headers: viewer.headers, payload: { pricePerGpuHour: 2, currency: 'USD' } });
    expect(forbidden.statusCode).toBe(403);
    for (const bad of [{ pricePerGpuHour: -1, currency: 'USD' }, { pricePerGpuHour: 1.1234567, currency: 'USD' }, { pricePerGpuHour: 1e7, currency: 'USD' }, { pricePerGpuHour: 2, currency: 'usd' }, { pricePerGpuHour: 2, currency: 'DOLLARS' }]) {
      const refused = await a.app.inject({ method: 'PUT', url, headers: admin, payload: bad });
      expect(refused.statusCode, JSON.stringify(bad)).toBe(400);
      expect(refused.json().error.code).toBe('VALIDATION_FAILED');
    }
    const set = await a.app.inject({ method: 'PUT', url, headers: admin, payload: { pricePerGpuHour: 2.5, currency: 'USD' } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ gpuModel: H100, pricePerGpuHour: 2.5, currency: 'USD', updatedBy: 'admin' });
    const mixed = await a.app.inject({ method: 'PUT', url: '/api/settings/gpu-prices/NVIDIA%20A100', headers: admin, payload: { pricePerGpuHour: 1.25, currency: 'EUR' } });
    expect(mixed.statusCode).toBe(409);
    expect(mixed.json().error).toMatchObject({ code: 'CURRENCY_MISMATCH' });
    const a100 = await a.app.inject({ method: 'PUT', url: '/api/settings/gpu-prices/NVIDIA%20A100', headers: admin, payload: { pricePerGpuHour: 1.123456, currency: 'USD' } });
    expect(a100.statusCode).toBe(200);
    expect((await a.app.inject({ method: 'DELETE', url: '/api/settings/gpu-prices/NVIDIA%20A100', headers: admin })).statusCode).toBe(204);
    const gone = await a.app.inject({ method: 'DELETE', url: '/api/settings/gpu-prices/NVIDIA%20A100', headers: admin });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('GPU_PRICE_NOT_FOUND');
    const audit = await a.app.inject({ method: 'GET', url: '/api/audit-logs?action=gpu-price.set', headers: admin });
    expect(audit.json<{ items: Array<{ resourceId: string }> }>().items.map((entry) => entry.resourceId)).toContain(H100);
  });

  it('reports GPU-hours, cost and cost per million tokens per deployment, and the same total per cluster', async () => {
    const at = new Date(T0 + 300 * SECOND);
    const log = (deployment: { id: string }, name: string, apiKeyId: string | null, prompt: number, completion: number) => ({
      requestId: randomUUID(),
      createdAt: at,
      startedAt: at,
      apiKeyId,
      authMethod: apiKeyId ? ('api_key' as const) : ('jwt' as const),
      deploymentId: deployment.id,
      deploymentName: name,
      clusterName: 'local',
      method: 'POST',
      path: '/v1/chat/completions',
      statusCode: 200,
      durationMs: 10,
      promptTokens: prompt,
      completionTokens: completion,
    });
    await a.database.handle.db.insert(inferenceLogs).values([
      log(big, 'cost-big', adminKey.id, 200, 100),
      log(big, 'cost-big', viewerKey.id, 50, 50),
      log(big, 'cost-big', null, 60, 40),
      // Outside the range: not counted.
      { ...log(big, 'cost-big', adminKey.id, 1e6, 1e6), createdAt: new Date(T0 + 3 * 3600 * SECOND) },
    ]);
    const byDeployment = await report(`groupBy=deployment&${range}`);
    const bigRow = row(byDeployment.rows, 'cost-big')!;
    const bigSeconds = await seconds(big.id);
    expect(bigRow.gpuHours).toBeCloseTo(bigSeconds / 3600, 6);
    expect(bigRow.cost).toBeCloseTo((bigSeconds / 3600) * 2.5, 6);
    expect(bigRow.tokens).toEqual({ prompt: 310, completion: 190, total: 500 });
    expect(bigRow.costPerMillionTokens).toBeCloseTo((bigRow.cost! / 500) * 1e6, 4);
    expect(bigRow.detail).toBe('local');
    const smallRow = row(byDeployment.rows, 'cost-small')!;
    expect(smallRow.costPerMillionTokens).toBeNull();
    expect(smallRow.costPerMillionTokensReason).toMatch(/No tokens/);
    expect(byDeployment.currency).toBe('USD');
    // Usage is kept per hour: an hour the range covers in part counts in proportion.
    const halfHour = await report('groupBy=deployment&from=2030-03-01T10:30:00Z&to=2030-03-01T11:00:00Z');
    expect(row(halfHour.rows, 'cost-big')!.gpuHours).toBeCloseTo(120 / 2 / 3600, 6);
    const byCluster = await report(`groupBy=cluster&${range}`);
    expect(byCluster.rows.map((each) => each.name)).toEqual(['local']);
    expect(byCluster.rows[0]!.cost).toBeCloseTo(byDeployment.total.cost!, 6);
    expect(byCluster.total.tokens.total).toBe(500);
  });

  it("splits a deployment's cost among API keys by their share of its tokens; idle GPU time is its own row", async () => {
    const byKey = await report(`groupBy=apiKey&${range}`);
    const bigCost = row((await report(`groupBy=deployment&${range}`)).rows, 'cost-big')!.cost!;
    expect(row(byKey.rows, '=HYPERLINK("x","y")')).toMatchObject({ kind: 'apiKey', id: adminKey.id, detail: 'admin', tokens: { total: 300 } });
    expect(row(byKey.rows, '=HYPERLINK("x","y")')!.cost).toBeCloseTo(bigCost * 0.6, 6);
    expect(row(byKey.rows, 'viewer-key')!.cost).toBeCloseTo(bigCost * 0.2, 6);
    expect(byKey.rows.find((each) => each.kind === 'session')!.cost).toBeCloseTo(bigCost * 0.2, 6);
    const idle = byKey.rows.find((each) => each.kind === 'idle')!;
    expect(idle.gpuHours).toBeCloseTo((await seconds(small.id)) / 3600 + (await seconds(paused.id)) / 3600, 6);
    expect(byKey.total.cost).toBeCloseTo((await report(`groupBy=deployment&${range}`)).total.cost!, 6);
    // A viewer sees their own key by name and other users' keys together.
    const asViewer = await report(`groupBy=apiKey&${range}`, viewer.headers);
    expect(asViewer.rows.map((each) => each.kind).sort()).toEqual(['apiKey', 'idle', 'otherUsers', 'session']);
    expect(row(asViewer.rows, 'viewer-key')!.id).toBe(viewerKey.id);
  });

  it('answers a CSV download, RFC 4180 quoted and safe from formula injection', async () => {
    for (const request of [{ url: `/api/costs?groupBy=apiKey&format=csv&${range}`, headers: admin }, { url: `/api/costs?groupBy=apiKey&${range}`, headers: { ...admin, accept: 'text/csv' } }]) {
      const response = await a.app.inject({ method: 'GET', ...request });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv/);
      expect(response.headers['content-disposition']).toBe('attachment; filename="costs-apiKey-2030-03-01-2030-03-01.csv"');
      const lines = response.body.split('\r\n');
      expect(lines[0]).toBe('kind,id,name,detail,gpu_hours,cost,currency,prompt_tokens,completion_tokens,total_tokens,cost_per_million_tokens,note');
      expect(lines).toContainEqual(expect.stringContaining(`apiKey,${adminKey.id},"'=HYPERLINK(""x"",""y"")",admin,`));
      expect(lines.at(-2)).toMatch(/^apiKey,,Total,/);
      expect(lines.at(-1)).toBe('');
    }
  });

  it('keeps a deleted deployment in reports by name, and marks GPU time without a price', async () => {
    await a.app.inject({ method: 'DELETE', url: `/api/settings/gpu-prices/${encodeURIComponent(H100)}`, headers: admin });
    const unpriced = await report(`groupBy=deployment&${range}`);
    expect(unpriced.unpricedGpuModels).toEqual([H100]);
    expect(row(unpriced.rows, 'cost-big')).toMatchObject({ cost: null, costPerMillionTokens: null, costPerMillionTokensReason: 'The cost is unknown.' });
    expect(row(unpriced.rows, 'cost-big')!.costReason).toContain(H100);
    await a.database.handle.db.delete(deployments).where(and(eq(deployments.id, small.id)));
    const after = await report(`groupBy=deployment&${range}`);
    expect(row(after.rows, 'cost-small')!.gpuHours).toBeGreaterThan(0);
  });

  it("counts a resource profile's GPUs per replica, on the inventory's spelling of its GPU type", async () => {
    const profile = await a.app.inject({ method: 'POST', url: '/api/resource-profiles', headers: admin, payload: { name: 'four-h100', gpuCount: 4, gpuType: 'NVIDIA-H100-80GB-HBM3', cpu: '4', memory: '16Gi' } });
    expect(profile.statusCode, profile.body).toBe(201);
    const profiled = await insertServedDeployment(a.database.handle, 'cost-profiled', ['http://127.0.0.1:9']);
    removals.push(profiled.remove);
    await a.database.handle.db.update(deployments).set({ resourceProfileId: profile.json<{ id: string }>().id }).where(eq(deployments.id, profiled.id));
    clockA = T0 + 870 * SECOND;
    await tickA();
    clockA = T0 + 930 * SECOND;
    await tickA();
    const rows = await a.database.handle.db.select().from(gpuUsageTable).where(eq(gpuUsageTable.deploymentId, profiled.id));
    expect(rows.map((each) => [each.gpuModel, each.gpuSeconds])).toEqual([[H100, 4 * 60]]);
  });

  it('forgets usage older than its retention, in batches', async () => {
    const old = { deploymentId: randomUUID(), deploymentName: 'long-gone', clusterId: randomUUID(), clusterName: 'local', gpuModel: H100, gpuSeconds: 3600 };
    clockA = T0;
    await a.database.handle.db.insert(gpuUsageTable).values([
      { ...old, hour: new Date(T0 - 401 * 86_400 * SECOND) },
      { ...old, hour: new Date(T0 - 402 * 86_400 * SECOND) },
      { ...old, hour: new Date(T0 - 399 * 86_400 * SECOND) },
    ]);
    expect(await a.gpuUsage.purgeOlderThan(400)).toBe(2);
    const left = await a.database.handle.db.select().from(gpuUsageTable).where(eq(gpuUsageTable.deploymentId, old.deploymentId));
    expect(left.map((each) => each.hour.getTime())).toEqual([T0 - 399 * 86_400 * SECOND]);
  });

  it('refuses a range over 400 days, and notes when tokens reach back past the request log', async () => {
    const tooLong = await a.app.inject({ method: 'GET', url: '/api/costs?from=2029-01-01T00:00:00Z&to=2030-02-05T00:00:01Z', headers: admin });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.message).toMatch(/400 days/);
    clockA = T0 + 60 * 86_400 * SECOND;
    const old = await report(`groupBy=cluster&${range}`);
    expect(old.notes.join(' ')).toMatch(/HMAS_INFERENCE_LOG_RETENTION_DAYS/);
    const defaults = await report('groupBy=cluster');
    expect(Date.parse(defaults.to) - Date.parse(defaults.from)).toBe(30 * 86_400 * SECOND);
  });
});
