import { afterEach, describe, expect, it } from 'vitest';
import { RECORDED, startFakeKubeApiServer, type FakeKubeApiServer } from '../../../test/fakes/fake-kube-apiserver.js';
import { parseKubeconfig } from '../kubernetes/kubeconfig.js';
import { createFederationConnector } from './federation-connector.js';

const TOKEN = 'karmada-token-for-tests';
const now = () => new Date('2024-10-07T09:32:00Z');

describe('federation connector (against a fake Karmada API server)', () => {
  let fake: FakeKubeApiServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const start = async () =>
    (fake = await startFakeKubeApiServer({
      token: TOKEN,
      version: RECORDED.karmadaVersion,
      karmadaClusters: { 'member-gpu-east': RECORDED.karmadaClusterReady, 'member-gpu-west': RECORDED.karmadaClusterNotReady },
    }));
  const connect = (server: FakeKubeApiServer, memberCluster: string, token = TOKEN) =>
    createFederationConnector({ kubeconfig: parseKubeconfig(server.kubeconfig({ token })), memberCluster, timeoutMs: 5000, now });

  it('is ready when Karmada reports the member Ready, with totals from its resource summary', async () => {
    const server = await start();
    const result = await connect(server, 'member-gpu-east').test();
    expect(result).toMatchObject({ ok: true, readiness: 'ready' });
    expect(result.message).toBe('Connected through Karmada v1.31.3: member "member-gpu-east" is Ready, 4 nodes, 16 allocatable GPUs.');
    expect(result.checks.map((check) => [check.name, check.ok])).toEqual([
      ['kubeconfig', true],
      ['Karmada API server', true],
      ['member cluster', true],
      ['member ready', true],
    ]);
    expect(result.inventory?.totals).toEqual({ nodes: 4, readyNodes: 4, gpus: 16, gpuAllocatable: 16, gpuAllocated: 6, gpuMemoryMiB: 0, cpuCores: 254, memoryBytes: 2111953188 * 1024 });
    expect(result.inventory?.notes[0]).toMatch(/per-node GPU models and memory are not available/);
    expect(server.requests.map((request) => request.path)).toEqual(['/version', '/apis/cluster.karmada.io/v1alpha1/clusters/member-gpu-east']);
  });

  it('is not ready when the member\'s Ready condition is False, quoting Karmada\'s reason', async () => {
    const server = await start();
    const result = await connect(server, 'member-gpu-west').test();
    expect(result).toMatchObject({ ok: false, readiness: 'notReady' });
    expect(result.message).toBe('Member cluster "member-gpu-west" is not Ready: Ready=False (ClusterNotReachable): cluster is not reachable.');
  });

  it('says Karmada has no such member', async () => {
    const server = await start();
    const result = await connect(server, 'member-nope').test();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^Karmada has no member cluster "member-nope"/);
  });

  it('says the Karmada API server refused a wrong token', async () => {
    const server = await start();
    const result = await connect(server, 'member-gpu-east', 'wrong').test();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^Cannot reach the Karmada API server: the API server refused the credentials \(HTTP 401/);
  });
});
