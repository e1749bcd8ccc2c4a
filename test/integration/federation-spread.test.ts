// A placement strategy's federation block, end to end through the API: the deployment lands on the
// federation cluster and the Karmada policies H-MAS writes name the strategy's members, weights,
// per-member resource profile and registry mirror. Against a Karmada API server
// (test/support/karmada-apiserver.ts); Karmada's controllers cannot be built here, and nothing in
// this test needs them: it reads what H-MAS wrote, not what Karmada would make of it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createKubeWorkloadClient } from '../../src/clusters/kubernetes/kube-workload-client.js';
import { parseKubeconfig } from '../../src/clusters/kubernetes/kubeconfig.js';
import { startKarmadaApiServer, type KarmadaApiServer } from '../support/karmada-apiserver.js';
import { createKarmadaStandIn, kubeConfigOf } from '../support/karmada-stand-in.js';
import { describeWithKubeNode } from '../support/kube-node.js';
import { inlineKubeconfig } from '../support/kube-test-pods.js';
import { kubectlFor, uniqueNamespace } from '../support/kubectl.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { writeTinyModel } from '../support/tiny-model.js';

interface PolicyList<T> {
  items: Array<{ metadata: { name: string }; spec: T }>;
}
interface PropagationSpec {
  placement: {
    clusterAffinity: { clusterNames: string[] };
    replicaScheduling: { replicaSchedulingType: string; replicaDivisionPreference?: string; weightPreference?: { staticWeightList?: Array<{ targetCluster: { clusterNames: string[] }; weight: number }> } };
  };
}
interface OverrideSpec {
  overrideRules: Array<{ targetCluster: { clusterNames: string[] }; overriders: { plaintext?: Array<{ path: string; value: unknown }>; imageOverrider?: Array<{ component: string; value: string }> } }>;
}

describeWithKubeNode("a placement strategy's Karmada members, through the API onto a federation cluster", (node) => {
  vi.setConfig({ testTimeout: 120_000, hookTimeout: 600_000 });
  const kubectl = kubectlFor(node);
  const namespace = uniqueNamespace('fed-spread');
  let t: TestApp;
  let karmada: KarmadaApiServer;
  let dir: string;
  let headers: { authorization: string };

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const onKarmada = <T>(kind: string) => kubectl(['--kubeconfig', karmada.kubeconfigPath, 'get', kind, '-n', namespace, '-o', 'json']).then((out) => JSON.parse(out) as PolicyList<T>);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hmas-fed-spread-'));
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    karmada = await startKarmadaApiServer(node, `hmas-fed-spread-${process.pid}`);
    const memberKubeconfig = await inlineKubeconfig(node.kubeconfig);
    // Two Karmada member clusters (both the node, as far as this test goes): only their Cluster objects matter here.
    for (const memberName of ['east', 'west']) {
      await createKarmadaStandIn({
        karmada: kubeConfigOf(karmada.kubeconfig),
        member: kubeConfigOf(memberKubeconfig),
        memberObjects: createKubeWorkloadClient(parseKubeconfig(memberKubeconfig)),
        memberName,
        namespace,
      }).registerMember();
    }
    t = await createTestApp('pglite');
    headers = await t.admin();
    const federation = await call('POST', '/api/clusters', { name: 'karmada', connection: { kind: 'federation', kubeconfig: await inlineKubeconfig(karmada.kubeconfig), memberCluster: 'east', namespace } });
    expect(federation.statusCode, federation.body).toBe(201);
    expect((await call('POST', '/api/clusters/karmada/test')).json().lastTest).toMatchObject({ ok: true });
  }, 600_000);

  afterAll(async () => {
    await t?.close();
    await karmada?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('propagates to the strategy\'s members with their weights, and overrides the member with its own resource profile and registry mirror', async () => {
    const westProfile = await call('POST', '/api/resource-profiles', { name: 'west-small', gpuCount: 0, cpu: '250m', memory: '256Mi' });
    expect(westProfile.statusCode, westProfile.body).toBe(201);
    const strategy = await call('POST', '/api/placement-strategies', {
      name: 'east-west',
      federation: { members: [{ name: 'east', weight: 2 }, { name: 'west', weight: 1, resourceProfileId: westProfile.json().id, imageRegistry: 'registry.west:5000' }], replicaScheduling: 'Divided' },
    });
    expect(strategy.statusCode, strategy.body).toBe(201);
    const model = await call('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'spread-tiny' });
    expect(model.statusCode, model.body).toBe(201);

    const created = await call('POST', '/api/deployments', { name: 'spread', modelId: model.json().id, placementStrategyId: strategy.json().id, runtime: 'embedded-llamacpp', replicas: 3 });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ cluster: 'karmada' });

    const [propagation] = (await onKarmada<PropagationSpec>('propagationpolicies')).items;
    expect(propagation?.spec.placement.clusterAffinity.clusterNames).toEqual(['east', 'west']);
    expect(propagation?.spec.placement.replicaScheduling).toMatchObject({
      replicaSchedulingType: 'Divided',
      weightPreference: { staticWeightList: [{ targetCluster: { clusterNames: ['east'] }, weight: 2 }, { targetCluster: { clusterNames: ['west'] }, weight: 1 }] },
    });
    const [override] = (await onKarmada<OverrideSpec>('overridepolicies')).items;
    const westRule = override?.spec.overrideRules.find((rule) => rule.targetCluster.clusterNames.includes('west'));
    expect(westRule?.overriders.plaintext?.[0]).toMatchObject({ path: '/spec/template/spec/containers/0/resources', value: { requests: { cpu: '250m', memory: '256Mi' } } });
    expect(westRule?.overriders.imageOverrider).toEqual([expect.objectContaining({ component: 'Registry', value: 'registry.west:5000' })]);
    expect(override?.spec.overrideRules.some((rule) => rule.targetCluster.clusterNames.includes('east'))).toBe(false);

    // The strategy changes to every member running all replicas: the next apply (a restart) follows it.
    expect((await call('PATCH', `/api/placement-strategies/${strategy.json().id}`, { federation: { members: [{ name: 'east' }, { name: 'west' }], replicaScheduling: 'Duplicated' } })).statusCode).toBe(200);
    const changed = await call('PATCH', `/api/deployments/${created.json().id}`, { optimization: { tier2: { threads: 1 } } });
    expect(changed.statusCode, changed.body).toBe(200);
    const [duplicated] = (await onKarmada<PropagationSpec>('propagationpolicies')).items;
    expect(duplicated?.spec.placement.replicaScheduling).toEqual({ replicaSchedulingType: 'Duplicated' });
    expect((await onKarmada<OverrideSpec>('overridepolicies')).items).toEqual([]);
  });
});
