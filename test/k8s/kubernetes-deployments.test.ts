// The whole product on the real single-node Kubernetes: the node's kubeconfig registered as a
// cluster, the tiny GGUF model served by H-MAS's embedded llama.cpp runtime in pods (the test
// image: busybox, with node and its libraries from the host's /usr and this checkout mounted where
// H-MAS's image keeps itself, /app), called through the gateway, paused, resumed, scaled,
// broken on purpose (crash loop, OOM kill) and deleted — every state read back from the cluster.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { describeWithKubeNode, NODE_HOST_IMAGE, selfImageMounts } from '../support/kube-node.js';
import { inlineKubeconfig } from '../support/kube-test-pods.js';
import { kubectlFor, uniqueNamespace } from '../support/kubectl.js';
import { modelDirForRuntimes, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';
import type { DeploymentBody } from '../support/deployment-body.js';
import { crashLoopsThenOomKills, deploymentApi, eachReplicaServes, type DeploymentApi } from '../support/deployment-api.js';

interface PodList {
  items: Array<{ metadata: { name: string; deletionTimestamp?: string }; status: { podIP?: string; containerStatuses?: Array<{ ready: boolean }> } }>;
}

describeWithKubeNode('deployments on a real Kubernetes node (embedded llama.cpp in pods, through the gateway)', (node) => {
  const kubectl = kubectlFor(node);
  const namespace = uniqueNamespace('e2e');
  let t: TestApp;
  let dir: string;
  let headers: { authorization: string };
  let modelId: string;
  /** Two cores shared with the other Kubernetes suites: replicas ask for little (the default is a whole CPU). */
  let smallProfileId: string;

  let api: DeploymentApi;
  const livePods = async (deploymentId: string) =>
    (await kubectl.json<PodList>(['get', 'pods', '-n', namespace, '-l', `hmas.io/deployment=${deploymentId}`])).items.filter((pod) => !pod.metadata.deletionTimestamp);

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-k8s-e2e-');
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    t = await createTestApp('pglite', { HMAS_RECONCILE_INTERVAL_MS: '1000' });
    t.loops.startAll();
    headers = await t.admin();
    api = deploymentApi(t.app, headers);
    const registered = await api.call('POST', '/api/clusters', {
      name: 'kube-node',
      connection: {
        kind: 'kubeconfig',
        kubeconfig: await inlineKubeconfig(node.kubeconfig),
        namespace,
        workloads: {
          selfImage: NODE_HOST_IMAGE,
          imagePullPolicy: 'Never',
          hostPathMounts: selfImageMounts(),
          modelVolume: { type: 'hostPath', path: dir },
        },
      },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const tested = await api.call('POST', '/api/clusters/kube-node/test');
    expect(tested.json().lastTest, tested.body).toMatchObject({ ok: true });
    const small = await api.call('POST', '/api/resource-profiles', { name: 'small', gpuCount: 0, cpu: '100m', memory: '512Mi' });
    expect(small.statusCode, small.body).toBe(201);
    smallProfileId = small.json<{ id: string }>().id;
    const model = await api.call('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-chat' });
    expect(model.statusCode, model.body).toBe(201);
    modelId = model.json<{ id: string }>().id;
  });

  afterAll(async () => {
    await t?.close();
    await kubectl(['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('deploys into a pod, serves through the gateway, pauses, resumes, scales to two serving pods and deletes everything', async () => {
    const created = await api.call('POST', '/api/deployments', { name: 'kube-tiny', modelId, cluster: 'kube-node', runtime: 'embedded-llamacpp', replicas: 1, resourceProfileId: smallProfileId, optimization: { tier2: { threads: 1 } } });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<DeploymentBody>();

    const running = await api.waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 1, 'running in a pod');
    expect(running.statusSource).toBe('live');
    expect(await livePods(id)).toHaveLength(1);
    await api.chatServes('kube-tiny');

    const paused = await api.call('POST', `/api/deployments/${id}/pause`);
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ status: 'paused' });
    await waitFor('the pods to be gone', async () => ((await livePods(id)).length === 0 ? true : undefined), { timeoutMs: 90_000 });
    await waitFor('the gateway to refuse the paused deployment', async () => ((await api.chat('kube-tiny')).statusCode === 503 ? true : undefined), { timeoutMs: 30_000 });

    expect((await api.call('POST', `/api/deployments/${id}/resume`)).statusCode).toBe(200);
    await api.waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 1, 'running after resume');
    await api.chatServes('kube-tiny');

    const scaled = await api.call('PATCH', `/api/deployments/${id}`, { replicas: 2 });
    expect(scaled.statusCode, scaled.body).toBe(200);
    await api.waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 2, 'two ready pods');
    const pods = await livePods(id);
    expect(pods).toHaveLength(2);
    // Both pods serve: each answers the model's sentence on its own address with the replica
    // token only the gateway is given (read here from the Secret the driver keeps it in), and
    // refuses a caller without it.
    const tokenSecret = await kubectl.json<{ data: { token: string } }>(['get', 'secret', 'kube-tiny-token', '-n', namespace]);
    const token = Buffer.from(tokenSecret.data.token, 'base64').toString('utf8');
    const port = (await kubectl.json<{ spec: { template: { spec: { containers: Array<{ ports: Array<{ containerPort: number }> }> } } } }>(['get', 'deployment', 'kube-tiny', '-n', namespace])).spec.template.spec.containers[0]?.ports[0]?.containerPort;
    await eachReplicaServes(pods.map((pod) => `http://${pod.status.podIP}:${port}`), 'kube-tiny', token);

    expect((await api.call('DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
    await waitFor(
      'no object of the deployment left',
      async () => ((await kubectl(['get', 'deployments,services,secrets,pods', '-n', namespace, '-l', `hmas.io/deployment=${id}`, '-o', 'name'])).trim() === '' ? true : undefined),
      { timeoutMs: 120_000 },
    );
  }, 600_000);

  it('reports a change that crash-loops with the reason, and an OOM kill', async () => {
    const created = await api.call('POST', '/api/deployments', { name: 'kube-broken', modelId, cluster: 'kube-node', runtime: 'embedded-llamacpp', replicas: 1, resourceProfileId: smallProfileId, optimization: { tier2: { threads: 1 } } });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<DeploymentBody>();
    await api.waitForDeployment(id, (d) => d.status === 'running', 'running');
    await crashLoopsThenOomKills(api, id, { tier2: { threads: 1 } });

    expect((await api.call('DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
  }, 600_000);
});
