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
import { modelDirForRuntimes, TINY_MODEL_ANSWER, writeTinyModel } from '../support/tiny-model.js';
import { untilRouted } from '../support/until-routed.js';
import { waitFor } from '../support/wait-for.js';
import type { DeploymentBody } from '../support/deployment-body.js';

const MEMBER = 'kmember';
const NAME = 'fed-tiny';

describeWithKubeNode('deployments through Karmada onto a registered member (the test plays Karmada\'s controllers)', (node) => {
  const kubectl = kubectlFor(node);
  const namespace = uniqueNamespace('fed-e2e');
  let t: TestApp;
  let dir: string;
  let karmada: KarmadaApiServer;
  let headers: { authorization: string };
  let pump: NodeJS.Timeout | undefined;
  let pumping = Promise.resolve();
  let withdraw: () => Promise<void>;

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const get = async (id: string) => (await call('GET', `/api/deployments/${id}`)).json<DeploymentBody>();
  const waitForDeployment = (id: string, done: (d: DeploymentBody) => boolean, what: string): Promise<DeploymentBody> =>
    waitFor(what, async () => { const deployment = await get(id); return done(deployment) ? deployment : undefined; }, { timeoutMs: 180_000, pollMs: 500, describe: () => get(id) });
  const chat = () =>
    t.app.inject({
      method: 'POST',
      url: `/api/inference/${NAME}/v1/chat/completions`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ model: NAME, messages: [{ role: 'user', content: 'Say hello' }], temperature: 0 }),
    });
  const memberPods = async () =>
    (await kubectl.json<{ items: Array<{ metadata: { deletionTimestamp?: string } }> }>(['get', 'pods', '-n', namespace, '-l', `app.kubernetes.io/instance=${NAME}`])).items.filter((pod) => !pod.metadata.deletionTimestamp);

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
      await standIn.propagate(NAME).catch(() => undefined);
      await standIn.aggregate(NAME).catch(() => undefined);
      await standIn.collectGarbage().catch(() => undefined);
    };
    withdraw = () => standIn.withdraw(NAME, [{ kind: 'deployments', name: NAME }, { kind: 'services', name: NAME }]);
    pump = setInterval(() => void (pumping = pumping.then(tick)), 1000);

    t = await createTestApp('pglite', { HMAS_RECONCILE_INTERVAL_MS: '1000' });
    t.loops.startAll();
    headers = await t.admin();
    const workloads = { selfImage: NODE_HOST_IMAGE, imagePullPolicy: 'Never', hostPathMounts: selfImageMounts(), modelVolume: { type: 'hostPath', path: dir } };
    const member = await call('POST', '/api/clusters', { name: MEMBER, connection: { kind: 'kubeconfig', kubeconfig: memberKubeconfig, namespace, workloads } });
    expect(member.statusCode, member.body).toBe(201);
    const federation = await call('POST', '/api/clusters', {
      name: 'karmada',
      connection: { kind: 'federation', kubeconfig: await inlineKubeconfig(karmada.kubeconfig), memberCluster: MEMBER, namespace, workloads },
    });
    expect(federation.statusCode, federation.body).toBe(201);
    expect((await call('POST', '/api/clusters/karmada/test')).json().lastTest).toMatchObject({ ok: true });
  }, 600_000);

  afterAll(async () => {
    if (pump) clearInterval(pump);
    await pumping;
    await t?.close();
    await karmada?.close();
    await kubectl(['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('deploys to the member through Karmada, serves through the gateway, pauses and resumes with a dual update, and deletes', async () => {
    const model = await call('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-chat' });
    expect(model.statusCode, model.body).toBe(201);
    // Two cores shared with the other Kubernetes suites: the replica asks for little (the default is a whole CPU).
    const small = await call('POST', '/api/resource-profiles', { name: 'small', gpuCount: 0, cpu: '100m', memory: '512Mi' });
    expect(small.statusCode, small.body).toBe(201);
    const created = await call('POST', '/api/deployments', {
      name: NAME,
      modelId: model.json<{ id: string }>().id,
      cluster: 'karmada',
      runtime: 'embedded-llamacpp',
      replicas: 1,
      resourceProfileId: small.json<{ id: string }>().id,
      optimization: { tier2: { threads: 1 } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<DeploymentBody>();

    await waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 1, 'running on the member');
    const answer = await untilRouted(NAME, chat, (response) => response.statusCode);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json<{ choices: Array<{ message: { content: string } }> }>().choices[0]?.message.content).toBe(TINY_MODEL_ANSWER);

    // Dual update: the member is scaled directly, not only through Karmada's template.
    expect((await call('POST', `/api/deployments/${id}/pause`)).statusCode).toBe(200);
    await waitFor('the member\'s pods to be gone', async () => ((await memberPods()).length === 0 ? true : undefined), { timeoutMs: 120_000 });
    await waitFor('the gateway to refuse the paused deployment', async () => ((await chat()).statusCode === 503 ? true : undefined), { timeoutMs: 30_000 });

    expect((await call('POST', `/api/deployments/${id}/resume`)).statusCode).toBe(200);
    await waitForDeployment(id, (d) => d.status === 'running' && d.readyReplicas === 1, 'running after resume');
    expect((await untilRouted(NAME, chat, (response) => response.statusCode)).statusCode).toBe(200);

    expect((await call('DELETE', `/api/deployments/${id}`)).statusCode).toBe(204);
    // Karmada's garbage collection of the member's copies once the templates are gone.
    await waitFor('the templates to be gone from Karmada', async () => ((await kubectl(['--kubeconfig', karmada.kubeconfigPath, 'get', 'deployments', '-n', namespace, '-o', 'name'])).trim() === '' ? true : undefined), { timeoutMs: 60_000 });
    await withdraw();
    const karmadaKubectl = (args: string[]) => kubectl(['--kubeconfig', karmada.kubeconfigPath, ...args]);
    await waitFor(
      'no template, policy or member object left',
      async () => {
        const templates = (await karmadaKubectl(['get', 'deployments,services,propagationpolicies,overridepolicies', '-n', namespace, '-o', 'name'])).trim();
        const onMember = (await kubectl(['get', 'deployments,services', '-n', namespace, '-o', 'name'])).trim();
        return templates === '' && onMember === '' ? true : undefined;
      },
      { timeoutMs: 120_000 },
    );
  }, 600_000);
});
