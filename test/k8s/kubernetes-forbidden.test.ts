// A cluster whose kubeconfig may not create Deployments, on the real node (its API server runs
// RBAC; the controller-manager's token controller writes ServiceAccount token Secrets, as
// Kubernetes 1.20 does): a ServiceAccount whose Role lets it read everything in its namespace and
// write Services and Secrets — but not Deployments. Deploying there must answer 403
// CLUSTER_FORBIDDEN naming the verb, the resource and the namespace, through the API and through
// the driver itself, and keep nothing.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesDriver } from '../../src/clusters/kubernetes/kubernetes-driver.js';
import { parseKubeconfig } from '../../src/clusters/kubernetes/kubeconfig.js';
import { renderWorkloadSpec } from '../../src/domain/workload.js';
import { fakeRuntime } from '../support/fake-runtime.js';
import { describeWithKubeNode } from '../support/kube-node.js';
import { inlineKubeconfig } from '../support/kube-test-pods.js';
import { kubectlFor, uniqueNamespace } from '../support/kubectl.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testBackends } from '../support/test-database.js';
import { modelDirForRuntimes, writeTinyModel } from '../support/tiny-model.js';
import { waitFor } from '../support/wait-for.js';

const ACCOUNT = 'deployer';

/** The Role: read the namespace's objects, write Services and Secrets — Deployments only read. */
function roleManifests(namespace: string): string {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: ACCOUNT, namespace },
    rules: [
      { apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'events', 'secrets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['services', 'secrets'], verbs: ['create', 'update', 'patch', 'delete'] },
    ],
  };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: ACCOUNT, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: ACCOUNT },
    subjects: [{ kind: 'ServiceAccount', name: ACCOUNT, namespace }],
  };
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: ACCOUNT, namespace } }, role, binding] });
}

describeWithKubeNode('a kubeconfig that may not create Deployments, on the real node (403 names the permission)', (node) => {
  const kubectl = kubectlFor(node);
  const namespace = uniqueNamespace('forbid');
  const user = `system:serviceaccount:${namespace}:${ACCOUNT}`;
  let kubeconfig: string;
  let dir: string;
  const permission = `the kubeconfig's user may not create deployments.apps in namespace ${namespace}`;

  beforeAll(async () => {
    await kubectl(['create', 'namespace', namespace]);
    await kubectl(['apply', '-f', '-'], roleManifests(namespace));
    // The token controller writes the account's token Secret a moment after the account exists.
    const secretName = await waitFor('the ServiceAccount\'s token Secret', async () => {
      const account = await kubectl.json<{ secrets?: Array<{ name: string }> }>(['get', 'serviceaccount', ACCOUNT, '-n', namespace]);
      return account.secrets?.[0]?.name;
    });
    const secret = await kubectl.json<{ data?: { token?: string } }>(['get', 'secret', secretName, '-n', namespace]);
    const token = Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8');
    expect(token).not.toBe('');
    // The node's kubeconfig (CA inlined) with the account's token as its only user.
    const config = JSON.parse(await inlineKubeconfig(node.kubeconfig)) as { users: Array<{ name: string; user: Record<string, unknown> }>; contexts: Array<{ context: { user: string } }> };
    config.users = [{ name: ACCOUNT, user: { token } }];
    for (const context of config.contexts) context.context.user = ACCOUNT;
    kubeconfig = JSON.stringify(config);
    // What RBAC says, so the test cannot pass for another reason.
    expect(await kubectl.canI(user, 'create', 'deployments.apps', namespace)).toBe(false);
    expect(await kubectl.canI(user, 'create', 'services', namespace)).toBe(true);

    dir = await modelDirForRuntimes('hmas-k8s-forbidden-');
    await writeTinyModel(path.join(dir, 'tiny.gguf'));
  }, 180_000);

  afterAll(async () => {
    await kubectl(['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe.each(testBackends())('through the API (%s)', (backend) => {
    let t: TestApp;
    let headers: { authorization: string };
    beforeAll(async () => {
      t = await createTestApp(backend);
      headers = await t.admin();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('answers 403 CLUSTER_FORBIDDEN to a deploy, naming verb, resource and namespace, and keeps nothing', async () => {
      const call = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
      const registered = await call('POST', '/api/clusters', { name: 'read-only', connection: { kind: 'kubeconfig', kubeconfig, namespace, workloads: { modelVolume: { type: 'hostPath', path: dir } } } });
      expect(registered.statusCode, registered.body).toBe(201);
      const profile = await call('POST', '/api/resource-profiles', { name: 'small', gpuCount: 0, cpu: '100m', memory: '128Mi' });
      expect(profile.statusCode, profile.body).toBe(201);
      const model = await call('POST', '/api/models', { localPath: path.join(dir, 'tiny.gguf'), name: 'tiny-chat' });
      expect(model.statusCode, model.body).toBe(201);

      const deploy = () => call('POST', '/api/deployments', { name: 'not-allowed', modelId: model.json<{ id: string }>().id, cluster: 'read-only', runtime: 'embedded-llamacpp', replicas: 1, resourceProfileId: profile.json<{ id: string }>().id });
      const refused = await deploy();
      expect(refused.statusCode, refused.body).toBe(403);
      expect(refused.json<{ error: unknown }>().error).toMatchObject({ code: 'CLUSTER_FORBIDDEN', message: `${permission} (HTTP 403 from the cluster); grant it with a Role or ClusterRole.`, details: { verb: 'create', resource: 'deployments.apps', namespace } });

      // Nothing kept: no deployment record, no Deployment; what the cluster did take (the Service,
      // the token Secret) was taken back.
      const listed = await call('GET', '/api/deployments');
      expect(listed.statusCode).toBe(200);
      expect(listed.json<{ items: Array<{ name: string }> }>().items.map((item) => item.name)).not.toContain('not-allowed');
      expect((await kubectl(['get', 'deployments,services,secrets', '-n', namespace, '-l', 'app.kubernetes.io/managed-by=hmas', '-o', 'name'])).trim()).toBe('');
      // Trying again is the same refusal, not 409 DEPLOYMENT_EXISTS.
      expect((await deploy()).statusCode).toBe(403);
    }, 120_000);
  });

  it('the driver itself rejects the apply with ClusterForbiddenError naming the permission', async () => {
    const driver = createKubernetesDriver({
      cluster: { name: 'read-only', type: 'HP', scheduler: 'default' },
      kubeconfig: parseKubeconfig(kubeconfig),
      namespace,
      runtimeImages: { llamacpp: { image: 'ghcr.io/ggml-org/llama.cpp:server', hostCommand: ['llama-server'], containerCommand: null } },
      logger: pino({ level: 'silent' }),
    });
    try {
      const { spec } = renderWorkloadSpec({
        deployment: { id: randomUUID(), name: 'driver-refused', replicas: 1 },
        model: { name: 'fake-model', localPath: '/models/fake-model.gguf' },
        runtime: fakeRuntime('/nowhere/fake-runtime.js', {}),
        optimization: {},
        resourceProfile: { gpuCount: 0, cpu: '50m', memory: '64Mi' },
      });
      await expect(driver.apply(spec)).rejects.toMatchObject({ name: 'ClusterForbiddenError', code: 'CLUSTER_FORBIDDEN', statusCode: 403, message: `${permission} (HTTP 403 from the cluster); grant it with a Role or ClusterRole.`, details: { verb: 'create', resource: 'deployments.apps', namespace } });
      // Reads the Role allows still work: the driver is not broken by the refusal.
      expect(await driver.status('driver-refused')).toBeNull();
      // Removing what the apply left: the Service and the token Secret go; the Deployment's
      // delete is refused too, and named.
      await expect(driver.remove('driver-refused')).rejects.toMatchObject({ code: 'CLUSTER_FORBIDDEN', details: { verb: 'delete', resource: 'deployments.apps', namespace } });
      expect((await kubectl(['get', 'services,secrets', '-n', namespace, '-l', 'app.kubernetes.io/instance=driver-refused', '-o', 'name'])).trim()).toBe('');
    } finally {
      await driver.close();
    }
  }, 120_000);
});
