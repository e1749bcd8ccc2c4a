// The product through Karmada: a federation cluster (a Karmada API server without controllers,
// test/support/karmada-apiserver.ts) whose member — the real node — is also registered in H-MAS
// under its Karmada name. Karmada's controllers cannot be built on these machines: the test plays
// their part (test/support/karmada-stand-in.ts: bind, write to the member, aggregate status,
// collect garbage) in a loop, as Karmada would, and says so in its name. Everything else is real:
// the tiny model served by the embedded runtime in a pod on the member, through the gateway.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKubeWorkloadClient } from '../../src/clusters/kubernetes/kube-workload-client.js';
import { parseKubeconfig } from '../../src/clusters/kubernetes/kubeconfig.js';
import { startKarmadaApiServer, type KarmadaApiServer } from '../support/karmada-apiserver.js';
import { createKarmadaStandIn, kubeConfigOf } from '../support/karmada-stand-in.js';
import { describeWithKubeNode, NODE_HOST_IMAGE, selfImageMounts } from '../support/kube-node.js';
import { inlineKubeconfig } from '../support/kube-test-pods.js';
import { kubectlFor, uniqueNamespace } from '../support/kubectl.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { modelDirForRuntimes, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';
import type { DeploymentBody } from '../support/deployment-body.js';
import { crashLoopsThenOomKills, deploymentApi, eachReplicaServes, type DeploymentApi } from '../support/deployment-api.js';

const MEMBER = 'kmember';
const NAME = 'fed-tiny';
const BROKEN = 'fed-broken';

interface MemberPods {
  items: Array<{ metadata: { deletionTimestamp?: string }; status: { podIP?: string }; spec: { containers: Array<{ ports: Array<{ containerPort: number }> }> } }>;
}

describeWithKubeNode('deployments through Karmada onto a registered member (the test plays Karmada\'s controllers)', (node) => {
  const kubectl = kubectlFor(node);
  const namespace = uniqueNamespace('fed-e2e');
  let t: TestApp;
  let dir: string;
  let karmada: KarmadaApiServer;
  let headers: { authorization: string };
  let pump: NodeJS.Timeout | undefined;
  let pumping = Promise.resolve();
  let withdraw: (name: string) => Promise<void>;

  let api: DeploymentApi;
  let smallProfileId: string;
  let modelId: string;
  const memberPods = async (name = NAME) =>
    (await kubectl.json<MemberPods>(['get', 'pods', '-n', namespace, '-l', `app.kubernetes.io/instance=${name}`])).items.filter((pod) => !pod.metadata.deletionTimestamp);
  const karmadaKubectl = (args: string[]) => kubectl(['--kubeconfig', karmada.kubeconfigPath, ...args]);
  /** Deletes a deployment, then plays Karmada's garbage collection of the member's copies and checks nothing is left. */
  const deleteEverywhere = async (id: string, name: string) => {
    expect((await api.call('DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
    await waitFor('the templates to be gone from Karmada', async () => ((await karmadaKubectl(['get', 'deployments', '-n', namespace, '-l', `app.kubernetes.io/instance=${name}`, '-o', 'name'])).trim() === '' ? true : undefined), { timeoutMs: 60_000 });
    await withdraw(name);
    await waitFor(
      'no template, policy or member object left',
      async () => {
        const templates = (await karmadaKubectl(['get', 'deployments,services,secrets,propagationpolicies,overridepolicies', '-n', namespace, '-o', 'name'])).split('\n').filter((line) => line.includes(`/${name}`));
        const onMember = (await kubectl(['get', 'deployments,services,secrets', '-n', namespace, '-l', `app.kubernetes.io/instance=${name}`, '-o', 'name'])).trim();
        return templates.length === 0 && onMember === '' ? true : undefined;
      },
      { timeoutMs: 120_000 },
    );
  };

  beforeAll(async () => {
    dir = await modelDirForRuntimes('hmas-fed-e2e-');
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
    karmada = await startKarmadaApiServer(node, `hmas-fed-e2e-${process.pid}`);
    const memberKubeconfig = await inlineKubeconfig(node.kubeconfig);
    const standIn = createKarmadaStandIn({
      karmada: kubeConfigOf(karmada.kubeconfig),
      member: kubeConfigOf(memberKubeconfig),
      memberObjects: createKubeWorkloadClient(parseKubeconfig(memberKubeconfig)),
      memberName: MEMBER,
      namespace,
    });
    await standIn.registerMember();
    // Karmada's controllers, every second: bind the template and write it to the member, aggregate
    // the member's status, let deleted templates go (the test withdraws the member's copies).
    const tick = async () => {
      for (const name of [NAME, BROKEN]) {
        await standIn.propagate(name).catch(() => undefined);
        await standIn.aggregate(name).catch(() => undefined);
      }
      await standIn.collectGarbage().catch(() => undefined);
    };
    withdraw = (name) => standIn.withdraw(name, [{ kind: 'deployments', name }, { kind: 'services', name }, { kind: 'secrets', name: `${name}-token` }]);
    pump = setInterval(() => void (pumping = pumping.then(tick)), 1000);

    t = await createTestApp('pglite', { HMAS_RECONCILE_INTERVAL_MS: '1000' });
    t.loops.startAll();
    headers = await t.admin();
    api = deploymentApi(t.app, headers, { timeoutMs: 180_000 });
    const workloads = { selfImage: NODE_HOST_IMAGE, imagePullPolicy: 'Never', hostPathMounts: selfImageMounts(), modelVolume: { type: 'hostPath', path: dir } };
    const member = await api.call('POST', '/api/clusters', { name: MEMBER, connection: { kind: 'kubeconfig', kubeconfig: memberKubeconfig, namespace, workloads } });
    expect(member.statusCode, member.body).toBe(201);
    const federation = await api.call('POST', '/api/clusters', {
      name: 'karmada',
      connection: { kind: 'federation', kubeconfig: await inlineKubeconfig(karmada.kubeconfig), memberCluster: MEMBER, namespace, workloads },
    });
    expect(federation.statusCode, federation.body).toBe(201);
    expect((await api.call('POST', '/api/clusters/karmada/test')).json().lastTest).toMatchObject({ ok: true });
    const model = await api.call('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-chat' });
    expect(model.statusCode, model.body).toBe(201);
    modelId = model.json<{ id: string }>().id;
    // Two cores shared with the other Kubernetes suites: replicas ask for little (the default is a whole CPU).
    const small = await api.call('POST', '/api/resource-profiles', { name: 'small', gpuCount: 0, cpu: '100m', memory: '512Mi' });
    expect(small.statusCode, small.body).toBe(201);
    smallProfileId = small.json<{ id: string }>().id;
  }, 600_000);

  afterAll(async () => {
    if (pump) clearInterval(pump);
    await pumping;
    await t?.close();
    await karmada?.close();
    await kubectl(['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  const create = async (name: string) => {
    const created = await api.call('POST', '/api/deployments', { name, modelId, cluster: 'karmada', runtime: 'embedded-llamacpp', replicas: 1, resourceProfileId: smallProfileId, optimization: { tier2: { threads: 1 } } });
    expect(created.statusCode, created.body).toBe(201);
    return created.json<DeploymentBody>().id;
  };

  it('deploys to the member through Karmada, serves through the gateway, pauses and resumes with a dual update, scales to two pods that serve only with the replica token, and deletes', async () => {
    const id = await create(NAME);
    await api.waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 1, 'running on the member');
    await api.chatServes(NAME);

    // Dual update: the member is scaled directly, not only through Karmada's template.
    expect((await api.call('POST', `/api/deployments/${id}/pause`)).statusCode).toBe(200);
    await waitFor('the member\'s pods to be gone', async () => ((await memberPods()).length === 0 ? true : undefined), { timeoutMs: 120_000 });
    await waitFor('the gateway to refuse the paused deployment', async () => ((await api.chat(NAME)).statusCode === 503 ? true : undefined), { timeoutMs: 30_000 });

    expect((await api.call('POST', `/api/deployments/${id}/resume`)).statusCode).toBe(200);
    await api.waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 1, 'running after resume');
    await api.chatServes(NAME);

    const scaled = await api.call('PATCH', `/api/deployments/${id}`, { replicas: 2 });
    expect(scaled.statusCode, scaled.body).toBe(200);
    await api.waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 2, 'two ready pods on the member');
    const template = await karmadaKubectl(['get', 'deployment', NAME, '-n', namespace, '-o', 'jsonpath={.spec.replicas}']);
    expect(template).toBe('2');
    const pods = await memberPods();
    expect(pods).toHaveLength(2);
    const origins = pods.map((pod) => `http://${pod.status.podIP}:${pod.spec.containers[0]?.ports[0]?.containerPort}`);
    // The replica token: a Secret template on Karmada, propagated to the member with the
    // Deployment. The member's pods refuse a caller without it; the gateway has it.
    const token = Buffer.from(await karmadaKubectl(['get', 'secret', `${NAME}-token`, '-n', namespace, '-o', 'jsonpath={.data.token}']), 'base64').toString('utf8');
    expect(token.length).toBeGreaterThan(20);
    expect(Buffer.from(await kubectl(['get', 'secret', `${NAME}-token`, '-n', namespace, '-o', 'jsonpath={.data.token}']), 'base64').toString('utf8')).toBe(token);
    await eachReplicaServes(origins, NAME, token);
    await api.chatServes(NAME);

    await deleteEverywhere(id, NAME);
  }, 600_000);

  it('reports a change that crash-loops on the member with the reason, and an OOM kill', async () => {
    const id = await create(BROKEN);
    await api.waitForDeployment(id, (d) => d.status === 'running', 'running on the member');
    const { crashing, killed } = await crashLoopsThenOomKills(api, id, { tier2: { threads: 1 } });
    // The member's own reason, said to come from the member.
    expect(crashing.statusMessage).toContain(MEMBER);
    expect(killed.statusMessage).toContain(MEMBER);
    await deleteEverywhere(id, BROKEN);
  }, 600_000);
});
