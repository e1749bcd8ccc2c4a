import { afterEach, describe, expect, it } from 'vitest';
import { kubeconfigFor, startFakeKubeApiServer, unusedLocalUrl, type FakeKubeApiServer } from '../../../test/fakes/fake-kube-apiserver.js';
import { parseKubeconfig } from './kubeconfig.js';
import { createKubernetesConnector } from './kubernetes-connector.js';

const TOKEN = 'fake-sa-token-for-tests';
const now = () => new Date('2024-10-07T09:32:00Z');

describe('kubernetes connector (against the fake API server, through @kubernetes/client-node)', () => {
  let fake: FakeKubeApiServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const connect = (kubeconfig: string, timeoutMs = 5000) => createKubernetesConnector({ kubeconfig: parseKubeconfig(kubeconfig), timeoutMs, now });

  it('reports version, nodes and GPU allocation, ready, with the bearer token sent', async () => {
    fake = await startFakeKubeApiServer({ token: TOKEN });
    const result = await connect(fake.kubeconfig()).test();
    expect(result.ok, result.message).toBe(true);
    expect(result.readiness).toBe('ready');
    expect(result.message).toBe('Connected. Kubernetes v1.30.4: 3 nodes (2 Ready), 12 GPUs, 6 allocated.');
    expect(result.checks.map((check) => [check.name, check.ok])).toEqual([
      ['kubeconfig', true],
      ['API server', true],
      ['nodes', true],
      ['GPU allocation', true],
    ]);
    expect(result.inventory?.totals).toMatchObject({ nodes: 3, gpus: 12, gpuAllocated: 6 });
    expect(fake.requests.map((request) => [request.path, request.authorized])).toEqual([
      ['/version', true],
      ['/api/v1/nodes', true],
      ['/api/v1/pods', true],
    ]);
  });

  it('says the credentials were refused on a wrong token (401), not ready', async () => {
    fake = await startFakeKubeApiServer({ token: TOKEN });
    const result = await connect(fake.kubeconfig({ token: 'wrong-token' })).test();
    expect(result).toMatchObject({ ok: false, readiness: 'notReady', inventory: null });
    expect(result.message).toMatch(/refused the credentials \(HTTP 401 Unauthorized\)/);
    expect(result.checks.find((check) => check.name === 'nodes')?.detail).toBe('not checked: the API server did not answer');
  });

  it('says nothing listens when the port is closed', async () => {
    const url = await unusedLocalUrl();
    const result = await connect(kubeconfigFor(url, TOKEN)).test();
    expect(result).toMatchObject({ ok: false, readiness: 'notReady' });
    expect(result.message).toBe(`Cannot reach the cluster: connection refused by ${url}: nothing listens there.`);
  });

  it('gives up on an API server that does not answer, within its deadline', async () => {
    fake = await startFakeKubeApiServer({ token: TOKEN, stalled: ['/version'] });
    const result = await connect(fake.kubeconfig(), 300).test();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/no answer from http:\/\/127\.0\.0\.1:\d+ within 0\.3 s/);
  });

  it('stays ok when pods cannot be listed, and says the allocation is unknown', async () => {
    fake = await startFakeKubeApiServer({ token: TOKEN, forbidden: ['/api/v1/pods'] });
    const result = await connect(fake.kubeconfig()).test();
    expect(result.ok).toBe(true);
    expect(result.checks.find((check) => check.name === 'GPU allocation')).toMatchObject({ ok: false, detail: expect.stringMatching(/^listing pods failed: the credentials are not allowed to do this \(HTTP 403 Forbidden\): pods is forbidden: User .*; allocation shows 0$/) });
    expect(result.inventory?.notes).toEqual([expect.stringMatching(/^GPU allocation unknown: listing pods failed/)]);
    expect(result.message).toMatch(/GPU allocation unknown/);
  });

  it('is not ready when no node is Ready', async () => {
    fake = await startFakeKubeApiServer({ token: TOKEN, nodes: { kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: [] } });
    const result = await connect(fake.kubeconfig()).test();
    expect(result).toMatchObject({ ok: false, readiness: 'notReady' });
    expect(result.message).toMatch(/0 nodes \(0 Ready\).*no node is Ready/);
  });

  it('reads the inventory alone, and rejects with the reason when the cluster is down', async () => {
    fake = await startFakeKubeApiServer({ token: TOKEN });
    expect((await connect(fake.kubeconfig()).inventory()).totals.gpuAllocatable).toBe(12);
    const url = await unusedLocalUrl();
    await expect(connect(kubeconfigFor(url, TOKEN)).inventory()).rejects.toThrow(/Cannot read the inventory: connection refused/);
  });
});
