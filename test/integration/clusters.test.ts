import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { clusters as clustersTable, clusterSettings } from '../../src/db/schema/index.js';
import { createSecretBox } from '../../src/lib/secret-box.js';
import { createLogger } from '../../src/lib/logger.js';
import { composeServer } from '../../src/main/compose.js';
import { RECORDED, startFakeKubeApiServer, unusedLocalUrl, kubeconfigFor, type FakeKubeApiServer } from '../fakes/fake-kube-apiserver.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../support/test-app.js';
import { createTestDatabase, testBackends } from '../support/test-database.js';

const TOKEN = 'sa-token-0123456789-abcdefghijklmnopqrstuvwxyz';
const KARMADA_TOKEN = 'karmada-token-9876543210-zyxwvutsrqponmlkjihgfedcba';
// Nothing is installed there: the local inventory is CPU-only on every machine the suite runs on.
const NO_NVIDIA_SMI = '/nonexistent/hmas-test/nvidia-smi';
const FIXTURES = fileURLToPath(new URL('../fixtures/nvidia-smi/', import.meta.url));

interface ClusterBody {
  id: string;
  name: string;
  displayName: string;
  type: string;
  scheduler: string;
  labels: Record<string, string>;
  imagePrecache: boolean;
  connection: { kind: string; server: string | null; context: string | null; namespace: string | null; memberCluster: string | null; hasCredentials: boolean; insecureSkipTlsVerify: boolean };
  readiness: { state: string; lastCheckedAt: string | null; message: string };
  lastTest: { ok: boolean; checkedAt: string; message: string; checks: Array<{ name: string; ok: boolean; detail: string }> } | null;
  inventory: { collectedAt: string; nodes: unknown[]; totals: Record<string, number>; notes: string[] } | null;
  agentToken?: string;
}

describe.each(testBackends())('clusters (%s)', (backend) => {
  let t: TestApp;
  let fake: FakeKubeApiServer;
  let karmada: FakeKubeApiServer;
  /** Every response body this suite saw: none may carry a credential. */
  const seen: string[] = [];

  const call = async (request: { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse> => {
    const response = await t.app.inject({ ...request, headers: request.headers ?? (await t.admin()), ...(request.payload !== undefined ? { payload: request.payload as object } : {}) } as never);
    seen.push(response.body);
    return response;
  };
  const kubeconfigCluster = (name: string, extra: Record<string, unknown> = {}, kubeconfig = fake.kubeconfig()) =>
    call({ method: 'POST', url: '/api/clusters', payload: { name, type: 'HP', connection: { kind: 'kubeconfig', kubeconfig }, ...extra } });

  beforeAll(async () => {
    fake = await startFakeKubeApiServer({ token: TOKEN });
    karmada = await startFakeKubeApiServer({ token: KARMADA_TOKEN, version: RECORDED.karmadaVersion, karmadaClusters: { 'member-gpu-east': RECORDED.karmadaClusterReady } });
    t = await createTestApp(backend, { HMAS_NVIDIA_SMI: NO_NVIDIA_SMI });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
    await karmada?.close();
  });

  it('registers this host as cluster local on first start, tested, with its CPU and memory', async () => {
    const response = await call({ method: 'GET', url: '/api/clusters/local' });
    expect(response.statusCode).toBe(200);
    const local = response.json<ClusterBody>();
    expect(local).toMatchObject({ name: 'local', type: 'GP', scheduler: 'default', imagePrecache: true, connection: { kind: 'local', hasCredentials: false } });
    expect(local.readiness.state).toBe('ready');
    expect(local.lastTest).toMatchObject({ ok: true });
    expect(local.inventory?.totals).toEqual({
      nodes: 1,
      readyNodes: 1,
      gpus: 0,
      gpuAllocatable: 0,
      gpuAllocated: 0,
      gpuMemoryMiB: 0,
      cpuCores: os.availableParallelism(),
      memoryBytes: os.totalmem(),
    });
    expect(local.inventory?.notes).toEqual([expect.stringContaining('nvidia-smi is not installed')]);
  });

  it('creates, lists, reads, changes and deletes a kubeconfig cluster, showing only a safe summary of the connection', async () => {
    const created = await kubeconfigCluster('gpu-east', { displayName: 'GPU East', labels: { region: 'us-east', 'hmas.io/tier': 'gold' } });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json<ClusterBody>();
    expect(body).toMatchObject({
      name: 'gpu-east',
      displayName: 'GPU East',
      type: 'HP',
      scheduler: 'default',
      imagePrecache: true,
      labels: { region: 'us-east', 'hmas.io/tier': 'gold' },
      connection: { kind: 'kubeconfig', server: fake.url, context: 'fake-admin@fake', namespace: 'hmas', memberCluster: null, hasCredentials: true, insecureSkipTlsVerify: true },
      readiness: { state: 'unknown', lastCheckedAt: null },
      lastTest: null,
      inventory: null,
    });
    expect(body).not.toHaveProperty('agentToken');

    const list = await call({ method: 'GET', url: '/api/clusters' });
    expect(list.json<{ items: ClusterBody[]; total: number }>().items.map((cluster) => cluster.name)).toEqual(['gpu-east', 'local']);
    expect((await call({ method: 'GET', url: '/api/clusters/gpu-east' })).json()).toEqual(body);

    const patched = await call({ method: 'PATCH', url: '/api/clusters/gpu-east', payload: { displayName: 'GPU East (prod)', type: 'GP', imagePrecache: false } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ displayName: 'GPU East (prod)', type: 'GP', imagePrecache: false, labels: { region: 'us-east' } });

    expect((await call({ method: 'DELETE', url: '/api/clusters/gpu-east' })).statusCode).toBe(204);
    const gone = await call({ method: 'GET', url: '/api/clusters/gpu-east' });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error).toMatchObject({ code: 'CLUSTER_NOT_FOUND', message: 'No cluster named "gpu-east".' });
  });

  it('answers 409 CLUSTER_EXISTS for a name already taken', async () => {
    expect((await kubeconfigCluster('dupe')).statusCode).toBe(201);
    const again = await kubeconfigCluster('dupe');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('CLUSTER_EXISTS');
  });

  it('answers 404 CLUSTER_NOT_FOUND for every route on an unknown cluster', async () => {
    for (const request of [
      { method: 'GET' as const, url: '/api/clusters/nope' },
      { method: 'PATCH' as const, url: '/api/clusters/nope', payload: { displayName: 'x' } },
      { method: 'DELETE' as const, url: '/api/clusters/nope' },
      { method: 'POST' as const, url: '/api/clusters/nope/test' },
      { method: 'POST' as const, url: '/api/clusters/nope/agent-token' },
      { method: 'GET' as const, url: '/api/clusters/nope/gpu-metrics' },
    ]) {
      const response = await call(request);
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(404);
      expect(response.json().error.code).toBe('CLUSTER_NOT_FOUND');
    }
  });

  it('refuses bad names, labels, types and connections with 400 and a clear message', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: 'Bad_Name', connection: { kind: 'agent' } }, /name: Use a DNS-1123 label/],
      [{ name: 'x'.repeat(64), connection: { kind: 'agent' } }, /DNS-1123 label/],
      [{ name: 'labels', connection: { kind: 'agent' }, labels: { 'bad key!': 'x' } }, /label key "bad key!" may use only/],
      [{ name: 'labels', connection: { kind: 'agent' }, labels: { tier: '-gold' } }, /label "tier" has value "-gold"/],
      [{ name: 'kind', type: 'XL', connection: { kind: 'agent' } }, /type/],
      [{ name: 'sched', scheduler: 'volcano', connection: { kind: 'agent' } }, /scheduler/],
      [{ name: 'conn', connection: { kind: 'ssh' } }, /connection/],
      [{ name: 'conn', connection: { kind: 'federation', kubeconfig: 'x' } }, /memberCluster/],
    ];
    for (const [payload, message] of cases) {
      const response = await call({ method: 'POST', url: '/api/clusters', payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
      expect(response.json().error.message).toMatch(message);
    }
  });

  it.each(['Not_A_Label', 'x'.repeat(64), "local'--", '-local', 'local%20x'])('answers 400 VALIDATION_FAILED to every :name route with the name %j', async (name) => {
    for (const request of [
      { method: 'GET' as const, url: `/api/clusters/${name}` },
      { method: 'PATCH' as const, url: `/api/clusters/${name}`, payload: { displayName: 'x' } },
      { method: 'DELETE' as const, url: `/api/clusters/${name}` },
      { method: 'POST' as const, url: `/api/clusters/${name}/test` },
      { method: 'POST' as const, url: `/api/clusters/${name}/agent-token` },
    ]) {
      const response = await call(request);
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/name: Use a DNS-1123 label/) });
    }
  });

  it('answers 400 INVALID_CONNECTION to a kubeconfig that is not valid YAML, without quoting it', async () => {
    const broken = `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: ${TOKEN}\n  - [`;
    for (const url of ['/api/clusters', '/api/clusters/test']) {
      const payload = url === '/api/clusters/test' ? { connection: { kind: 'kubeconfig', kubeconfig: broken } } : { name: 'broken', connection: { kind: 'kubeconfig', kubeconfig: broken } };
      const response = await call({ method: 'POST', url, payload });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'INVALID_CONNECTION', message: expect.stringMatching(/^connection\.kubeconfig is not valid YAML: .*\(line \d+\)\.$/) });
      expect(response.body).not.toContain(TOKEN);
    }
    const exec = kubeconfigFor(fake.url, TOKEN).replace(`    token: ${TOKEN}`, '    exec:\n      command: /bin/sh');
    const refused = await call({ method: 'POST', url: '/api/clusters', payload: { name: 'exec', connection: { kind: 'kubeconfig', kubeconfig: exec } } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/runs a credential plugin program on the H-MAS host/);
    const wrongContext = await call({ method: 'POST', url: '/api/clusters', payload: { name: 'ctx', connection: { kind: 'kubeconfig', kubeconfig: fake.kubeconfig(), context: 'other' } } });
    expect(wrongContext.statusCode).toBe(400);
    expect(wrongContext.json().error.message).toMatch(/has no context "other"; it has "fake-admin@fake"/);
  });

  it('tests a connection before saving: ok against a live API server, with its inventory, and stores nothing', async () => {
    const before = (await call({ method: 'GET', url: '/api/clusters' })).json<{ total: number }>().total;
    const response = await call({ method: 'POST', url: '/api/clusters/test', payload: { connection: { kind: 'kubeconfig', kubeconfig: fake.kubeconfig() } } });
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json<{ ok: boolean; message: string; readiness: string; checks: unknown[]; inventory: ClusterBody['inventory']; checkedAt: string }>();
    expect(report).toMatchObject({ ok: true, readiness: 'ready', message: 'Connected. Kubernetes v1.30.4: 3 nodes (2 Ready), 12 GPUs, 6 allocated.' });
    expect(report.inventory?.totals).toMatchObject({ nodes: 3, gpus: 12, gpuAllocatable: 12, gpuAllocated: 6, gpuMemoryMiB: 8 * 81559 + 4 * 46068 });
    expect(report).not.toHaveProperty('target');
    expect((await call({ method: 'GET', url: '/api/clusters' })).json<{ total: number }>().total).toBe(before);
  });

  it('tests a connection before saving: a wrong token and a closed port are ok:false with the reason, not an error status', async () => {
    const wrong = await call({ method: 'POST', url: '/api/clusters/test', payload: { connection: { kind: 'kubeconfig', kubeconfig: fake.kubeconfig({ token: 'not-the-token' }) } } });
    expect(wrong.statusCode).toBe(200);
    expect(wrong.json()).toMatchObject({ ok: false, readiness: 'notReady', inventory: null, message: expect.stringMatching(/refused the credentials \(HTTP 401 Unauthorized\)/) });

    const closed = await unusedLocalUrl();
    const unreachable = await call({ method: 'POST', url: '/api/clusters/test', payload: { connection: { kind: 'kubeconfig', kubeconfig: kubeconfigFor(closed, TOKEN) } } });
    expect(unreachable.statusCode).toBe(200);
    expect(unreachable.json()).toMatchObject({ ok: false, message: `Cannot reach the cluster: connection refused by ${closed}: nothing listens there.` });
  });

  it('tests a saved cluster: the result becomes its last test, readiness and inventory', async () => {
    expect((await kubeconfigCluster('tested')).statusCode).toBe(201);
    const response = await call({ method: 'POST', url: '/api/clusters/tested/test' });
    expect(response.statusCode, response.body).toBe(200);
    const cluster = response.json<ClusterBody>();
    expect(cluster.lastTest).toMatchObject({ ok: true, message: expect.stringMatching(/^Connected\./) });
    expect(cluster.lastTest?.checks.map((check) => check.name)).toEqual(['kubeconfig', 'API server', 'nodes', 'GPU allocation']);
    expect(cluster.readiness).toMatchObject({ state: 'ready', lastCheckedAt: cluster.lastTest?.checkedAt });
    expect(cluster.inventory?.nodes).toHaveLength(3);
    expect((await call({ method: 'GET', url: '/api/clusters/tested' })).json()).toEqual(cluster);
  });

  it('records a failed saved test (wrong token, closed port) as not ready, with the reason', async () => {
    expect((await kubeconfigCluster('wrong-token', {}, fake.kubeconfig({ token: 'expired-token' }))).statusCode).toBe(201);
    const wrong = (await call({ method: 'POST', url: '/api/clusters/wrong-token/test' })).json<ClusterBody>();
    expect(wrong.lastTest).toMatchObject({ ok: false, message: expect.stringMatching(/HTTP 401/) });
    expect(wrong.readiness.state).toBe('notReady');

    expect((await kubeconfigCluster('gone-away', {}, kubeconfigFor(await unusedLocalUrl(), TOKEN))).statusCode).toBe(201);
    const response = await call({ method: 'POST', url: '/api/clusters/gone-away/test' });
    expect(response.statusCode).toBe(200);
    expect(response.json<ClusterBody>()).toMatchObject({ readiness: { state: 'notReady', message: expect.stringMatching(/connection refused/) }, lastTest: { ok: false } });
  });

  it('resets the last test when the connection changes, and keeps it when the same connection is sent again', async () => {
    expect((await kubeconfigCluster('reset-me', { labels: { team: 'ml' } })).statusCode).toBe(201);
    const tested = (await call({ method: 'POST', url: '/api/clusters/reset-me/test' })).json<ClusterBody>();
    expect(tested.lastTest?.ok).toBe(true);

    const same = await call({ method: 'PATCH', url: '/api/clusters/reset-me', payload: { connection: { kind: 'kubeconfig' } } });
    expect(same.json<ClusterBody>().lastTest).toEqual(tested.lastTest);

    // Only the namespace changes; the stored kubeconfig is kept without being sent again.
    const changed = await call({ method: 'PATCH', url: '/api/clusters/reset-me', payload: { connection: { kind: 'kubeconfig', namespace: 'serving' } } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json<ClusterBody>()).toMatchObject({
      lastTest: null,
      inventory: null,
      readiness: { state: 'unknown', lastCheckedAt: null },
      labels: { team: 'ml' },
      connection: { kind: 'kubeconfig', namespace: 'serving', server: fake.url, context: 'fake-admin@fake', hasCredentials: true },
    });
    const retested = (await call({ method: 'POST', url: '/api/clusters/reset-me/test' })).json<ClusterBody>();
    expect(retested.lastTest?.ok).toBe(true);

    const newKubeconfig = await call({ method: 'PATCH', url: '/api/clusters/reset-me', payload: { connection: { kind: 'kubeconfig', kubeconfig: fake.kubeconfig({ context: 'ops@fake' }) } } });
    expect(newKubeconfig.json<ClusterBody>()).toMatchObject({ lastTest: null, connection: { context: 'ops@fake', namespace: 'serving' } });

    const audit = await call({ method: 'GET', url: '/api/audit-logs?action=cluster.update&limit=10' });
    expect(audit.json<{ items: Array<{ summary: string }> }>().items.map((entry) => entry.summary)).toEqual(
      expect.arrayContaining(['changed cluster reset-me: connection (connection changed: last test reset)', 'changed cluster reset-me: connection (connection unchanged)']),
    );
  });

  it('keeps the labels and the last test when only the scheduler changes', async () => {
    expect((await kubeconfigCluster('sched', { labels: { region: 'eu-west', 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' } })).statusCode).toBe(201);
    const tested = (await call({ method: 'POST', url: '/api/clusters/sched/test' })).json<ClusterBody>();
    const patched = await call({ method: 'PATCH', url: '/api/clusters/sched', payload: { scheduler: 'koordinator' } });
    expect(patched.json<ClusterBody>()).toMatchObject({ scheduler: 'koordinator', labels: { region: 'eu-west', 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' }, lastTest: tested.lastTest });
  });

  it('needs the new kind\'s credentials to switch kinds, and a member cluster for federation', async () => {
    expect((await kubeconfigCluster('switch')).statusCode).toBe(201);
    const noKubeconfig = await call({ method: 'PATCH', url: '/api/clusters/switch', payload: { connection: { kind: 'federation', memberCluster: 'member-gpu-east' } } });
    expect(noKubeconfig.statusCode).toBe(400);
    expect(noKubeconfig.json().error).toMatchObject({ code: 'INVALID_CONNECTION', message: expect.stringMatching(/connection.kubeconfig is required/) });
    const noMember = await call({ method: 'PATCH', url: '/api/clusters/switch', payload: { connection: { kind: 'federation', kubeconfig: karmada.kubeconfig() } } });
    expect(noMember.json().error.message).toMatch(/connection.memberCluster is required/);
  });

  it('registers a federation member cluster and reports its readiness from Karmada', async () => {
    const created = await call({
      method: 'POST',
      url: '/api/clusters',
      payload: { name: 'east-via-karmada', connection: { kind: 'federation', kubeconfig: karmada.kubeconfig(), memberCluster: 'member-gpu-east' } },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<ClusterBody>().connection).toMatchObject({ kind: 'federation', server: karmada.url, memberCluster: 'member-gpu-east', namespace: 'hmas', hasCredentials: true });
    const tested = (await call({ method: 'POST', url: '/api/clusters/east-via-karmada/test' })).json<ClusterBody>();
    expect(tested).toMatchObject({ readiness: { state: 'ready' }, lastTest: { ok: true }, inventory: { totals: { nodes: 4, gpuAllocatable: 16, gpuAllocated: 6 } } });
  });

  it('gives an agent cluster a token once, stores only its ciphertext and hash, and says it waits for the agent', async () => {
    const created = await call({ method: 'POST', url: '/api/clusters', payload: { name: 'edge-1', connection: { kind: 'agent' } } });
    expect(created.statusCode).toBe(201);
    const { agentToken, ...cluster } = created.json<ClusterBody>();
    expect(agentToken).toMatch(/^hmas-agent-[A-Za-z0-9_-]{43}$/);
    expect(cluster.connection).toMatchObject({ kind: 'agent', hasCredentials: true, server: null });
    const fetched = await call({ method: 'GET', url: '/api/clusters/edge-1' });
    expect(fetched.body).not.toContain(agentToken!);
    expect(fetched.json()).not.toHaveProperty('agentToken');

    const [row] = await t.database.handle.db.select().from(clustersTable).where(eq(clustersTable.name, 'edge-1'));
    expect(row?.agentTokenSha256).toBe(createHash('sha256').update(agentToken!).digest('hex'));
    expect(row?.credentialsSealed).toMatch(/^v1\./);
    expect(row?.credentialsSealed).not.toContain(agentToken!);

    const tested = (await call({ method: 'POST', url: '/api/clusters/edge-1/test' })).json<ClusterBody>();
    expect(tested).toMatchObject({ readiness: { state: 'notReady' }, lastTest: { ok: false, message: expect.stringMatching(/^Waiting for the agent to connect/) } });

    const rotated = await call({ method: 'POST', url: '/api/clusters/edge-1/agent-token' });
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json<{ name: string; agentToken: string }>();
    expect(fresh).toEqual({ name: 'edge-1', agentToken: expect.stringMatching(/^hmas-agent-/) });
    expect(fresh.agentToken).not.toBe(agentToken);
    const [after] = await t.database.handle.db.select().from(clustersTable).where(eq(clustersTable.name, 'edge-1'));
    expect(after?.agentTokenSha256).toBe(createHash('sha256').update(fresh.agentToken).digest('hex'));
    expect((await call({ method: 'GET', url: '/api/clusters/edge-1' })).json<ClusterBody>().lastTest).toBeNull();

    const notAgent = await call({ method: 'POST', url: '/api/clusters/tested/agent-token' });
    expect(notAgent.statusCode).toBe(409);
    expect(notAgent.json().error.code).toBe('NOT_AN_AGENT_CLUSTER');
  });

  it('tests an agent connection before saving honestly: nothing can be reached yet', async () => {
    const response = await call({ method: 'POST', url: '/api/clusters/test', payload: { connection: { kind: 'agent' } } });
    expect(response.json()).toMatchObject({ ok: false, readiness: 'notReady', message: expect.stringMatching(/^Nothing to reach before saving/) });
  });

  it('keeps the local cluster local, and the local kind for the local cluster', async () => {
    const toKubeconfig = await call({ method: 'PATCH', url: '/api/clusters/local', payload: { connection: { kind: 'kubeconfig', kubeconfig: fake.kubeconfig() } } });
    expect(toKubeconfig.statusCode).toBe(409);
    expect(toKubeconfig.json().error.code).toBe('LOCAL_CONNECTION_FIXED');
    const otherLocal = await call({ method: 'POST', url: '/api/clusters', payload: { name: 'second-host', connection: { kind: 'local' } } });
    expect(otherLocal.statusCode).toBe(400);
    expect(otherLocal.json().error).toMatchObject({ code: 'INVALID_CONNECTION', message: expect.stringMatching(/Only the cluster named "local"/) });
    const relabel = await call({ method: 'PATCH', url: '/api/clusters/local', payload: { labels: { site: 'lab' }, connection: { kind: 'local' } } });
    expect(relabel.json<ClusterBody>()).toMatchObject({ labels: { site: 'lab' }, lastTest: { ok: true } });
  });

  it('lets viewers read clusters but not change or test them', async () => {
    const viewer = await t.userWithRole('viewer');
    expect((await call({ method: 'GET', url: '/api/clusters', headers: viewer.headers })).statusCode).toBe(200);
    for (const request of [
      { method: 'POST' as const, url: '/api/clusters', payload: { name: 'v', connection: { kind: 'agent' } } },
      { method: 'POST' as const, url: '/api/clusters/test', payload: { connection: { kind: 'agent' } } },
      { method: 'POST' as const, url: '/api/clusters/local/test' },
      { method: 'PATCH' as const, url: '/api/clusters/local', payload: { displayName: 'x' } },
      { method: 'DELETE' as const, url: '/api/clusters/local' },
    ]) {
      const response = await call({ ...request, headers: viewer.headers });
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(403);
    }
  });

  it('keeps registering, testing and re-pointing clusters for admins: they send credentials to any URL (operators 403)', async () => {
    expect((await kubeconfigCluster('operator-target')).statusCode).toBe(201);
    const operator = await t.userWithRole('operator');
    const before = fake.requests.length;
    for (const request of [
      { method: 'POST' as const, url: '/api/clusters', payload: { name: 'by-operator', connection: { kind: 'kubeconfig', kubeconfig: fake.kubeconfig() } } },
      { method: 'POST' as const, url: '/api/clusters', payload: { name: 'by-operator', connection: { kind: 'agent' } } },
      { method: 'POST' as const, url: '/api/clusters/test', payload: { connection: { kind: 'kubeconfig', kubeconfig: fake.kubeconfig() } } },
      { method: 'POST' as const, url: '/api/clusters/operator-target/test' },
      { method: 'PATCH' as const, url: '/api/clusters/operator-target', payload: { connection: { kind: 'kubeconfig', kubeconfig: kubeconfigFor('http://169.254.169.254', 'x') } } },
    ]) {
      const response = await call({ ...request, headers: operator.headers });
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(403);
      expect(response.json().error.code).toBe('FORBIDDEN');
    }
    // Nothing was dialled on an operator's behalf.
    expect(fake.requests.length).toBe(before);
    expect((await call({ method: 'GET', url: '/api/clusters/operator-target' })).json<ClusterBody>().connection.server).toBe(fake.url);
    // Operators still look after the clusters admins registered.
    const relabel = await call({ method: 'PATCH', url: '/api/clusters/operator-target', headers: operator.headers, payload: { labels: { team: 'ml' }, displayName: 'Target' } });
    expect(relabel.statusCode, relabel.body).toBe(200);
    expect((await call({ method: 'DELETE', url: '/api/clusters/operator-target', headers: operator.headers })).statusCode).toBe(204);
  });

  it('audits every change with the cluster name and no secret', async () => {
    const response = await call({ method: 'GET', url: '/api/audit-logs?action=cluster.&limit=500' });
    const entries = response.json<{ items: Array<{ action: string; resourceId: string | null; summary: string; outcome: string }> }>().items;
    const actions = new Set(entries.map((entry) => entry.action));
    for (const action of ['cluster.create', 'cluster.update', 'cluster.delete', 'cluster.test', 'cluster.agent_token_rotate']) expect(actions).toContain(action);
    expect(entries).toContainEqual(expect.objectContaining({ action: 'cluster.create', resourceId: 'gpu-east', summary: 'registered cluster gpu-east (kubeconfig, HP, scheduler default)', outcome: 'success' }));
    expect(entries).toContainEqual(expect.objectContaining({ action: 'cluster.test', resourceId: null, summary: `tested a kubeconfig connection to ${fake.url} before saving: ok` }));
    expect(entries).toContainEqual(expect.objectContaining({ action: 'cluster.agent_token_rotate', resourceId: 'edge-1' }));
    expect(entries).toContainEqual(expect.objectContaining({ action: 'cluster.create', resourceId: 'dupe', outcome: 'failure' }));
  });

  it('never returns, audits or stores a credential in clear', async () => {
    const auditLog = (await call({ method: 'GET', url: '/api/audit-logs?limit=500' })).body;
    const everything = [...seen, auditLog].join('\n');
    for (const secret of [TOKEN, KARMADA_TOKEN, 'expired-token', 'not-the-token']) expect(everything).not.toContain(secret);
    expect(auditLog).not.toContain('hmas-agent-');

    const rows = await t.database.handle.db.select().from(clustersTable);
    const kubeconfigRows = rows.filter((row) => row.connectionKind === 'kubeconfig');
    expect(kubeconfigRows.length).toBeGreaterThan(3);
    const box = createSecretBox((await readFile(path.join(t.config.dataDir, 'secret-key'), 'utf8')).trim());
    for (const row of kubeconfigRows) {
      expect(row.credentialsSealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(JSON.stringify(row)).not.toContain(TOKEN);
      expect(JSON.stringify(row)).not.toContain('apiVersion: v1');
      // The ciphertext opens with the data directory's key: it is the kubeconfig, encrypted.
      expect(JSON.parse(box.open(row.credentialsSealed!)).kubeconfig).toMatch(/^apiVersion: v1\nkind: Config\n/);
    }
  });

  it('keeps the generated encryption key in the data directory, readable by the owner only', async () => {
    const mode = (await stat(path.join(t.config.dataDir, 'secret-key'))).mode & 0o777;
    expect(mode).toBe(0o600);
  });
});

describe.each(testBackends())('cluster registration on start (%s)', (backend) => {
  it('registers no local cluster with HMAS_LOCAL_CLUSTER=false', async () => {
    const t = await createTestApp(backend, { HMAS_LOCAL_CLUSTER: 'false', HMAS_NVIDIA_SMI: NO_NVIDIA_SMI });
    try {
      const list = await t.app.inject({ method: 'GET', url: '/api/clusters', headers: await t.admin() });
      expect(list.json()).toMatchObject({ items: [], total: 0 });
    } finally {
      await t.close();
    }
  });

  it('registers local once when two servers start together, reports its GPUs, and respects a delete on the next start', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-clusters-'));
    const database = await createTestDatabase(backend);
    const smi = path.join(dataDir, 'nvidia-smi');
    await writeFile(smi, `#!/bin/sh\ncat '${FIXTURES}h100-sxm-8x.csv'\n`);
    await chmod(smi, 0o755);
    const config = loadConfig({
      HMAS_DATA_DIR: dataDir,
      HMAS_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      HMAS_LOG_LEVEL: 'silent',
      HMAS_SECRET_KEY: 'a-secret-key-from-the-environment-0123456789',
      HMAS_NVIDIA_SMI: smi,
    });
    const logger = createLogger({ level: 'silent', pretty: false });
    const servers = await Promise.all([composeServer(config, database.handle, logger), composeServer(config, database.handle, logger)]);
    try {
      const rows = await database.handle.db.select().from(clustersTable);
      expect(rows.map((row) => row.name)).toEqual(['local']);
      expect(rows[0]?.inventory).toMatchObject({ totals: { gpus: 8, gpuAllocatable: 8, gpuMemoryMiB: 8 * 81559 }, nodes: [{ gpus: [{ model: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559, count: 8 }] }] });
      // HMAS_SECRET_KEY is set: no key file is generated.
      await expect(stat(path.join(dataDir, 'secret-key'))).rejects.toMatchObject({ code: 'ENOENT' });

      const login = await servers[0]!.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: TEST_ADMIN_PASSWORD } });
      const headers = { authorization: `Bearer ${login.json<{ accessToken: string }>().accessToken}` };
      expect((await servers[0]!.app.inject({ method: 'DELETE', url: '/api/clusters/local', headers })).statusCode).toBe(204);

      const restarted = await composeServer(config, database.handle, logger);
      servers.push(restarted);
      expect(await database.handle.db.select().from(clustersTable)).toEqual([]);
      const [setting] = await database.handle.db.select().from(clusterSettings);
      expect(setting?.value).toMatchObject({ deletedAt: expect.any(String) });
    } finally {
      for (const server of servers) await server.app.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('reports credentials sealed with another HMAS_SECRET_KEY as unreadable, and lets them be replaced', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-clusters-'));
    const database = await createTestDatabase(backend);
    const fake = await startFakeKubeApiServer({ token: TOKEN });
    const logger = createLogger({ level: 'silent', pretty: false });
    const configWith = (key: string) =>
      loadConfig({ HMAS_DATA_DIR: dataDir, HMAS_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, HMAS_LOG_LEVEL: 'silent', HMAS_SECRET_KEY: key, HMAS_NVIDIA_SMI: NO_NVIDIA_SMI, HMAS_LOCAL_CLUSTER: 'false' });
    const servers = [await composeServer(configWith('the-first-secret-key-0123456789abcdef'), database.handle, logger)];
    try {
      const as = async (server: (typeof servers)[number]) => {
        const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: TEST_ADMIN_PASSWORD } });
        const headers = { authorization: `Bearer ${login.json<{ accessToken: string }>().accessToken}` };
        return (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => server.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      };
      const first = await as(servers[0]!);
      expect((await first('POST', '/api/clusters', { name: 'sealed', connection: { kind: 'kubeconfig', kubeconfig: fake.kubeconfig() } })).statusCode).toBe(201);

      servers.push(await composeServer(configWith('a-different-secret-key-0123456789abcdef'), database.handle, logger));
      const second = await as(servers[1]!);
      expect((await second('GET', '/api/clusters/sealed')).json()).toMatchObject({ connection: { kind: 'kubeconfig', hasCredentials: true } });
      const tested = await second('POST', '/api/clusters/sealed/test');
      expect(tested.statusCode).toBe(200);
      expect(tested.json()).toMatchObject({ readiness: { state: 'notReady' }, lastTest: { ok: false, message: expect.stringMatching(/cannot be decrypted \(was HMAS_SECRET_KEY changed\?\)/) } });
      const keepOld = await second('PATCH', '/api/clusters/sealed', { connection: { kind: 'kubeconfig', namespace: 'other' } });
      expect(keepOld.statusCode).toBe(409);
      expect(keepOld.json().error.code).toBe('CREDENTIALS_UNREADABLE');
      expect((await second('PATCH', '/api/clusters/sealed', { connection: { kind: 'kubeconfig', kubeconfig: fake.kubeconfig() } })).statusCode).toBe(200);
      expect((await second('POST', '/api/clusters/sealed/test')).json().lastTest.ok).toBe(true);
    } finally {
      for (const server of servers) await server.app.close();
      await fake.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('writes no credential to the logs, even at trace level', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ level: 'trace', pretty: false }, sink);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hmas-clusters-'));
    const database = await createTestDatabase(backend);
    const fake = await startFakeKubeApiServer({ token: TOKEN, forbidden: ['/api/v1/pods'] });
    const config = loadConfig({ HMAS_DATA_DIR: dataDir, HMAS_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, HMAS_NVIDIA_SMI: NO_NVIDIA_SMI, HMAS_JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789' });
    const server = await composeServer(config, database.handle, logger);
    try {
      const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: TEST_ADMIN_PASSWORD } });
      const headers = { authorization: `Bearer ${login.json<{ accessToken: string }>().accessToken}` };
      const send = (method: 'POST' | 'PATCH', url: string, payload?: object) => server.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      expect((await send('POST', '/api/clusters', { name: 'logged', connection: { kind: 'kubeconfig', kubeconfig: fake.kubeconfig() } })).statusCode).toBe(201);
      expect((await send('POST', '/api/clusters/logged/test')).json().lastTest.ok).toBe(true);
      await send('POST', '/api/clusters/test', { connection: { kind: 'kubeconfig', kubeconfig: fake.kubeconfig({ token: 'not-the-token' }) } });
      await send('POST', '/api/clusters', { name: 'broken', connection: { kind: 'kubeconfig', kubeconfig: `users:\n- user:\n    token: ${TOKEN}\n  - [` } });
      await send('PATCH', '/api/clusters/logged', { connection: { kind: 'kubeconfig', kubeconfig: fake.kubeconfig({ token: 'not-the-token' }) } });
      await send('POST', '/api/clusters/logged/test');
      const agent = await send('POST', '/api/clusters', { name: 'edge', connection: { kind: 'agent' } });

      const log = lines.join('');
      expect(lines.length).toBeGreaterThan(10);
      for (const secret of [TOKEN, 'not-the-token', agent.json<{ agentToken: string }>().agentToken]) expect(log).not.toContain(secret);
    } finally {
      await server.loops.stopAll();
      await server.app.close();
      await fake.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
