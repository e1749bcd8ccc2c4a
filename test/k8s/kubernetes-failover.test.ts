// Failover on the real single-node Kubernetes: two kubeconfig clusters, kube-a and kube-b, reach
// the same node through a TCP proxy each and keep their workloads in a namespace each. A
// deployment placed by a strategy allowing both, with a re-place failover policy, lands on kube-a;
// cutting kube-a's proxy makes it lost (not ready, the deployment unknown) → the failover loop moves
// the deployment to kube-b, whose pod answers chat through the gateway → kube-a comes back → the
// copy left there is scaled to 0 and removed by the check that finds kube-a ready again, never
// two copies routed to.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { describeWithKubeNode, NODE_HOST_IMAGE, selfImageMounts } from '../support/kube-node.js';
import { inlineKubeconfig } from '../support/kube-test-pods.js';
import { kubectlFor, uniqueNamespace } from '../support/kubectl.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { modelDirForRuntimes, TINY_MODEL_ANSWER, writeTinyModel } from '../support/tiny-model.js';
import { untilRouted } from '../support/until-routed.js';
import { waitFor } from '../support/wait-for.js';
import type { DeploymentBody } from '../support/deployment-body.js';

interface PodList {
  items: Array<{ metadata: { name: string; deletionTimestamp?: string }; status: { podIP?: string; containerStatuses?: Array<{ ready: boolean }> } }>;
}
interface FailoverBody {
  fromCluster: string | null;
  toCluster: string | null;
  state: string;
  attempts: number;
  reason: string;
}

/** The node's kubeconfig with its API server reached through `port` on 127.0.0.1 (the certificate names 127.0.0.1). */
async function kubeconfigThrough(text: string, port: number): Promise<string> {
  const config = JSON.parse(await inlineKubeconfig(text)) as { clusters: Array<{ cluster: { server: string } }> };
  for (const { cluster } of config.clusters) cluster.server = `https://127.0.0.1:${port}`;
  return JSON.stringify(config);
}

describeWithKubeNode('failover between two Kubernetes clusters (kube-a lost → moved to kube-b → old copy removed)', (node) => {
  describe.each(testBackends())('%s', (backend) => {
    const kubectl = kubectlFor(node);
    const namespaces = { a: uniqueNamespace('fo-a'), b: uniqueNamespace('fo-b') };
    const proxies: Partial<Record<'a' | 'b', TcpProxy>> = {};
    let t: TestApp;
    let dir: string;
    let headers: { authorization: string };

    const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
    const get = async (id: string) => (await call('GET', `/api/deployments/${id}`)).json<DeploymentBody & { cluster: string }>();
    const failovers = async (id: string) => (await call('GET', `/api/deployments/${id}/failovers`)).json<{ items: FailoverBody[]; total: number }>();
    const chat = (name: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/inference/${name}/v1/chat/completions`,
        headers: { ...headers, 'content-type': 'application/json' },
        payload: JSON.stringify({ model: name, messages: [{ role: 'user', content: 'Say hello' }], temperature: 0 }),
      });
    const livePods = async (namespace: string, deploymentId: string) =>
      (await kubectl.json<PodList>(['get', 'pods', '-n', namespace, '-l', `hmas.io/deployment=${deploymentId}`])).items.filter((pod) => !pod.metadata.deletionTimestamp);
    const readyPods = async (namespace: string, deploymentId: string) => (await livePods(namespace, deploymentId)).filter((pod) => pod.status.containerStatuses?.every((status) => status.ready));
    /** Where the deployment's Service answers on the node in that namespace (the endpoint H-MAS routes to). */
    const nodePortUrl = async (namespace: string) =>
      `http://127.0.0.1:${(await kubectl.json<{ spec: { ports: Array<{ nodePort: number }> } }>(['get', 'service', 'fo-tiny', '-n', namespace])).spec.ports[0]?.nodePort}/v1`;
    /** Tests the cluster now (the cluster-health loop does it every minute): its readiness follows. */
    const testCluster = async (name: string) => (await call('POST', `/api/clusters/${name}/test`)).json<{ readiness: { state: string } }>().readiness.state;

    beforeAll(async () => {
      dir = await modelDirForRuntimes('hmas-k8s-failover-');
      await writeTinyModel(path.join(dir, 'tiny.gguf'));
      t = await createTestApp(backend, { HMAS_RECONCILE_INTERVAL_MS: '1000', HMAS_FAILOVER_INTERVAL_MS: '1000' });
      t.loops.startAll();
      headers = await t.admin();
      const inlined = JSON.parse(await inlineKubeconfig(node.kubeconfig)) as { clusters: Array<{ cluster: { server: string } }> };
      const apiServer = new URL(inlined.clusters[0]!.cluster.server);
      for (const side of ['a', 'b'] as const) {
        const proxy = await startTcpProxy({ host: apiServer.hostname, port: Number(apiServer.port) });
        proxies[side] = proxy;
        const registered = await call('POST', '/api/clusters', {
          name: `kube-${side}`,
          connection: {
            kind: 'kubeconfig',
            kubeconfig: await kubeconfigThrough(node.kubeconfig, proxy.port),
            namespace: namespaces[side],
            workloads: { selfImage: NODE_HOST_IMAGE, imagePullPolicy: 'Never', hostPathMounts: selfImageMounts(), modelVolume: { type: 'hostPath', path: dir } },
          },
        });
        expect(registered.statusCode, registered.body).toBe(201);
        expect(await testCluster(`kube-${side}`)).toBe('ready');
      }
    });

    afterAll(async () => {
      await proxies.a?.restore();
      await t?.close();
      for (const proxy of Object.values(proxies)) await proxy.close();
      for (const namespace of Object.values(namespaces)) await kubectl(['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }, 180_000);

    it('moves the deployment off the lost cluster, serves from the new one, and removes the old copy when the cluster returns', async () => {
      const profile = await call('POST', '/api/resource-profiles', { name: 'small', gpuCount: 0, cpu: '100m', memory: '512Mi' });
      expect(profile.statusCode, profile.body).toBe(201);
      const policy = await call('POST', '/api/failover-policies', { name: 'move-fast', action: 're-place', gracePeriodSeconds: 2 });
      expect(policy.statusCode, policy.body).toBe(201);
      const strategy = await call('POST', '/api/placement-strategies', { name: 'a-or-b', clusterNames: ['kube-a', 'kube-b'], failoverPolicyId: policy.json<{ id: string }>().id });
      expect(strategy.statusCode, strategy.body).toBe(201);
      const model = await call('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-chat' });
      expect(model.statusCode, model.body).toBe(201);

      const created = await call('POST', '/api/deployments', {
        name: 'fo-tiny',
        modelId: model.json<{ id: string }>().id,
        placementStrategyId: strategy.json<{ id: string }>().id,
        runtime: 'embedded-llamacpp',
        replicas: 1,
        resourceProfileId: profile.json<{ id: string }>().id,
        optimization: { tier2: { threads: 1 } },
      });
      expect(created.statusCode, created.body).toBe(201);
      const { id } = created.json<DeploymentBody & { cluster: string }>();
      // Equal clusters (no GPUs): the strategy takes the first by name.
      expect(created.json()).toMatchObject({ cluster: 'kube-a' });
      await waitFor('running on kube-a', async () => ((await get(id)).status === 'running' ? true : undefined), { timeoutMs: 150_000, describe: () => get(id) });
      expect((await untilRouted('fo-tiny', () => chat('fo-tiny'), (response) => response.statusCode)).statusCode).toBe(200);
      expect(await failovers(id)).toMatchObject({ items: [], total: 0 });

      // kube-a's API server is cut off: not ready, the deployment unknown, then moved to kube-b.
      proxies.a!.cut();
      expect(await testCluster('kube-a')).not.toBe('ready');
      const moved = await waitFor('the deployment moved to kube-b', async () => {
        const deployment = await get(id);
        return deployment.cluster === 'kube-b' ? deployment : undefined;
      }, { timeoutMs: 60_000, describe: async () => ({ deployment: await get(id), failovers: await failovers(id) }) });
      expect(moved.cluster).toBe('kube-b');
      expect((await failovers(id)).items[0]).toMatchObject({ fromCluster: 'kube-a', toCluster: 'kube-b', state: 'moved', attempts: 1 });
      const audit = await call('GET', '/api/audit-logs?action=deployment.failover&actor=system');
      expect(audit.json<{ items: Array<{ resourceId: string; summary: string }> }>().items).toEqual([
        expect.objectContaining({ resourceId: id, summary: expect.stringContaining('from kube-a to kube-b') }),
      ]);
      // The config history has the move: same settings, another cluster.
      const history = (await call('GET', `/api/deployments/${id}/config-history`)).json<{ items: Array<{ cause: string; before: { cluster?: string; replicas: number } | null; after: { cluster?: string; replicas: number } }> }>();
      expect(history.items[0]).toMatchObject({ cause: 'failover', before: { cluster: 'kube-a', replicas: 1 }, after: { cluster: 'kube-b', replicas: 1 } });

      // Served from kube-b: the gateway's upstream is kube-b's Service.
      const running = await waitFor('running on kube-b', async () => {
        const deployment = await get(id);
        return deployment.status === 'running' && deployment.readyReplicas === 1 ? deployment : undefined;
      }, { timeoutMs: 150_000, describe: () => get(id) });
      expect(await readyPods(namespaces.b, id)).toHaveLength(1);
      expect(running.endpoints).toEqual([await nodePortUrl(namespaces.b)]);
      const answer = await untilRouted('fo-tiny', () => chat('fo-tiny'), (response) => response.statusCode);
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json<{ choices: Array<{ message: { content: string } }> }>().choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);
      // The copy on kube-a still runs (only its API server is cut off), routed to by nothing.
      expect(await readyPods(namespaces.a, id)).toHaveLength(1);
      expect(running.endpoints).not.toContain(await nodePortUrl(namespaces.a));

      // kube-a returns: the check that finds it ready scales the old copy there to 0 and removes
      // it before it answers (not at the next failover pass); kube-b keeps serving.
      await proxies.a!.restore();
      expect(await testCluster('kube-a')).toBe('ready');
      expect((await failovers(id)).items[0]).toMatchObject({ state: 'completed' });
      await waitFor('the old copy on kube-a gone', async () => ((await livePods(namespaces.a, id)).length === 0 ? true : undefined), { timeoutMs: 90_000, describe: () => failovers(id) });
      expect(await livePods(namespaces.b, id)).toHaveLength(1);
      expect((await get(id)).cluster).toBe('kube-b');
      expect((await chat('fo-tiny')).statusCode).toBe(200);

      expect((await call('DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
    }, 600_000);
  });
});
