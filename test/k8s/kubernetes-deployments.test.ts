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
import { modelDirForRuntimes, TINY_MODEL_ANSWER, writeTinyModel } from '../support/tiny-model.js';
import { untilRouted } from '../support/until-routed.js';
import { waitFor } from '../support/wait-for.js';
import type { DeploymentBody } from '../support/deployment-body.js';

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

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const get = async (id: string) => (await call('GET', `/api/deployments/${id}`)).json<DeploymentBody>();
  const waitForDeployment = (id: string, done: (d: DeploymentBody) => boolean, what: string, timeoutMs = 150_000): Promise<DeploymentBody> =>
    waitFor(what, async () => { const deployment = await get(id); return done(deployment) ? deployment : undefined; }, { timeoutMs, pollMs: 500, describe: () => get(id) });
  const chat = (name: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/inference/${name}/v1/chat/completions`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ model: name, messages: [{ role: 'user', content: 'Say hello' }], temperature: 0 }),
    });
  const livePods = async (deploymentId: string) =>
    (await kubectl.json<PodList>(['get', 'pods', '-n', namespace, '-l', `hmas.io/deployment=${deploymentId}`])).items.filter((pod) => !pod.metadata.deletionTimestamp);

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-k8s-e2e-');
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    t = await createTestApp('pglite', { HMAS_RECONCILE_INTERVAL_MS: '1000' });
    t.loops.startAll();
    headers = await t.admin();
    const registered = await call('POST', '/api/clusters', {
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
    const tested = await call('POST', '/api/clusters/kube-node/test');
    expect(tested.json().lastTest, tested.body).toMatchObject({ ok: true });
    const small = await call('POST', '/api/resource-profiles', { name: 'small', gpuCount: 0, cpu: '100m', memory: '512Mi' });
    expect(small.statusCode, small.body).toBe(201);
    smallProfileId = small.json<{ id: string }>().id;
    const model = await call('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-chat' });
    expect(model.statusCode, model.body).toBe(201);
    modelId = model.json<{ id: string }>().id;
  });

  afterAll(async () => {
    await t?.close();
    await kubectl(['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('deploys into a pod, serves through the gateway, pauses, resumes, scales to two serving pods and deletes everything', async () => {
    const created = await call('POST', '/api/deployments', { name: 'kube-tiny', modelId, cluster: 'kube-node', runtime: 'embedded-llamacpp', replicas: 1, resourceProfileId: smallProfileId, optimization: { tier2: { threads: 1 } } });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<DeploymentBody>();

    const running = await waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 1, 'running in a pod');
    expect(running.statusSource).toBe('live');
    expect(await livePods(id)).toHaveLength(1);
    const answer = await untilRouted('kube-tiny', () => chat('kube-tiny'), (response) => response.statusCode);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json<{ choices: Array<{ message: { content: string } }> }>().choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);

    const paused = await call('POST', `/api/deployments/${id}/pause`);
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ status: 'paused' });
    await waitFor('the pods to be gone', async () => ((await livePods(id)).length === 0 ? true : undefined), { timeoutMs: 90_000 });
    await waitFor('the gateway to refuse the paused deployment', async () => ((await chat('kube-tiny')).statusCode === 503 ? true : undefined), { timeoutMs: 30_000 });

    expect((await call('POST', `/api/deployments/${id}/resume`)).statusCode).toBe(200);
    await waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 1, 'running after resume');
    expect((await untilRouted('kube-tiny', () => chat('kube-tiny'), (response) => response.statusCode)).statusCode).toBe(200);

    const scaled = await call('PATCH', `/api/deployments/${id}`, { replicas: 2 });
    expect(scaled.statusCode, scaled.body).toBe(200);
    await waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 2, 'two ready pods');
    const pods = await livePods(id);
    expect(pods).toHaveLength(2);
    // Both pods serve: each answers the model's sentence on its own address (with the replica
    // token only the gateway is given — read here from the Secret the driver keeps it in).
    const tokenSecret = await kubectl.json<{ data: { token: string } }>(['get', 'secret', 'kube-tiny-token', '-n', namespace]);
    const token = Buffer.from(tokenSecret.data.token, 'base64').toString('utf8');
    const port = (await kubectl.json<{ spec: { template: { spec: { containers: Array<{ ports: Array<{ containerPort: number }> }> } } } }>(['get', 'deployment', 'kube-tiny', '-n', namespace])).spec.template.spec.containers[0]?.ports[0]?.containerPort;
    for (const pod of pods) {
      const response = await fetch(`http://${pod.status.podIP}:${port}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ model: 'kube-tiny', messages: [{ role: 'user', content: 'Say hello' }], temperature: 0 }),
      });
      expect(response.status, pod.metadata.name).toBe(200);
      expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);
    }

    expect((await call('DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
    await waitFor(
      'no object of the deployment left',
      async () => ((await kubectl(['get', 'deployments,services,secrets,pods', '-n', namespace, '-l', `hmas.io/deployment=${id}`, '-o', 'name'])).trim() === '' ? true : undefined),
      { timeoutMs: 120_000 },
    );
  }, 600_000);

  it('reports a change that crash-loops with the reason, and an OOM kill', async () => {
    const created = await call('POST', '/api/deployments', { name: 'kube-broken', modelId, cluster: 'kube-node', runtime: 'embedded-llamacpp', replicas: 1, resourceProfileId: smallProfileId, optimization: { tier2: { threads: 1 } } });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<DeploymentBody>();
    await waitForDeployment(id, (d) => d.status === 'running', 'running');

    // A flag the embedded runtime refuses: every new pod exits at start.
    const broken = await call('PATCH', `/api/deployments/${id}`, { optimization: { tier2: { threads: 1 }, raw: { extraArgs: ['--no-such-flag'] } } });
    expect(broken.statusCode, broken.body).toBe(200);
    const crashing = await waitForDeployment(id, (d) => d.statusReason === 'CrashLoopBackOff', 'CrashLoopBackOff reported');
    expect(crashing.statusMessage).toBeTruthy();
    // The crashed run's output, as `kubectl logs --previous` gives it.
    const previous = await waitFor('the previous run\'s log', async () => {
      const logs = await call('GET', `/api/deployments/${id}/logs?previous=true&tailLines=50`);
      const lines = logs.statusCode === 200 ? logs.json<{ items: Array<{ lines: string[] }> }>().items.flatMap((item) => item.lines) : [];
      return lines.some((line) => line.includes('--no-such-flag')) ? lines : undefined;
    });
    expect(previous.join('\n')).toMatch(/unknown option/);

    // A memory limit the runtime cannot load the model in: the kernel kills it.
    const profile = await call('POST', '/api/resource-profiles', { name: 'too-small', gpuCount: 0, cpu: '100m', memory: '24Mi' });
    expect(profile.statusCode, profile.body).toBe(201);
    const squeezed = await call('PATCH', `/api/deployments/${id}`, { resourceProfileId: profile.json<{ id: string }>().id, optimization: { tier2: { threads: 1 } } });
    expect(squeezed.statusCode, squeezed.body).toBe(200);
    await waitForDeployment(id, (d) => d.statusReason === 'OOMKilled' || /OOMKilled/.test(d.statusMessage), 'OOMKilled reported');

    expect((await call('DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
  }, 600_000);
});
