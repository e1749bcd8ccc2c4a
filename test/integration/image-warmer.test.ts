import { randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonSetApiOf } from '../../src/clusters/kubernetes/image-warmer-client.js';
import { createKubeWorkloadClient } from '../../src/clusters/kubernetes/kube-workload-client.js';
import { IMAGE_WARMER_HASH_ANNOTATION, IMAGE_WARMER_NAME } from '../../src/clusters/kubernetes/image-warmer-manifest.js';
import { parseKubeconfig } from '../../src/clusters/kubernetes/kubeconfig.js';
import { clusters, deployments, models } from '../../src/db/schema/index.js';
import type { ImageWarmerStatus } from '../../src/domain/image-warmer.js';
import { createClusterRepo } from '../../src/services/clusters/cluster-repo.js';
import { createImageWarmerRepo } from '../../src/services/clusters/image-warmer-repo.js';
import { createImageWarmerService, type ImageWarmerService } from '../../src/services/clusters/image-warmer-service.js';
import { kubeconfigFor, unusedLocalUrl } from '../fakes/fake-kube-apiserver.js';
import { describeWithKubeNode } from '../support/kube-node.js';
import { inlineKubeconfig } from '../support/kube-test-pods.js';
import { kubectlFor, uniqueNamespace } from '../support/kubectl.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

describe('image warmer API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers unsupported for the local cluster, 404 for an unknown cluster and 400 for a name that cannot be one', async () => {
    const headers = await t.admin();
    const local = await t.app.inject({ method: 'GET', url: '/api/clusters/local/warmer', headers });
    expect(local.statusCode, local.body).toBe(200);
    expect(local.json()).toMatchObject({ cluster: 'local', enabled: true, phase: 'unsupported', daemonSet: null, images: [], namespace: null });
    const unknown = await t.app.inject({ method: 'GET', url: '/api/clusters/nowhere/warmer', headers });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('CLUSTER_NOT_FOUND');
    const bad = await t.app.inject({ method: 'GET', url: '/api/clusters/Not_A_Name/warmer', headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('records why a sync failed, in words, and keeps going with the other clusters', async () => {
    const headers = await t.admin();
    const kubeconfig = kubeconfigFor(await unusedLocalUrl(), 'token-never-shown');
    const created = await t.app.inject({ method: 'POST', url: '/api/clusters', headers, payload: { name: 'warm-down', connection: { kind: 'kubeconfig', kubeconfig } } });
    expect(created.statusCode, created.body).toBe(201);
    const idle = await t.app.inject({ method: 'POST', url: '/api/clusters', headers, payload: { name: 'warm-idle', connection: { kind: 'kubeconfig', kubeconfig } } });
    expect(idle.statusCode, idle.body).toBe(201);
    const db = t.database.handle.db;
    const [down] = await db.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, 'warm-down'));
    const modelId = randomUUID();
    const deploymentId = randomUUID();
    await db.insert(models).values({ id: modelId, name: 'warm-down-model', format: 'gguf', source: 'local', localPath: '/nonexistent/warm.gguf', category: 'LLM' });
    await db.insert(deployments).values({ id: deploymentId, name: 'warm-down-vllm', modelId, clusterId: down!.id, runtime: 'vllm', replicas: 1 });
    try {
      const warmer = createImageWarmerService({
        repo: createImageWarmerRepo(db),
        clusters: createClusterRepo(db),
        connect: () => daemonSetApiOf(createKubeWorkloadClient(parseKubeconfig(kubeconfig))),
        imageOf: (_cluster, runtime) => (runtime === 'vllm' ? 'vllm/vllm-openai:v0.11.0' : null),
        timeoutMs: 5_000,
      });
      await warmer.syncAll(new AbortController().signal);
      const failed = (await t.app.inject({ method: 'GET', url: '/api/clusters/warm-down/warmer', headers })).json<ImageWarmerStatus>();
      expect(failed).toMatchObject({ phase: 'error', images: [{ image: 'vllm/vllm-openai:v0.11.0', runtimes: ['vllm'] }], daemonSet: null });
      expect(failed.lastError).toMatch(/connection refused/);
      expect(failed.message).toContain(failed.lastError);
      expect(JSON.stringify(failed)).not.toContain('token-never-shown');
      // A cluster with nothing to warm is not even called.
      expect((await t.app.inject({ method: 'GET', url: '/api/clusters/warm-idle/warmer', headers })).json()).toMatchObject({ phase: 'idle', lastError: null });
    } finally {
      await db.delete(deployments).where(eq(deployments.id, deploymentId));
      await db.delete(models).where(eq(models.id, modelId));
    }
  });
});

// The node has no GPU: the warmer is told to run on it by name instead of by GPU label.
const onThisNode = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: ['127.0.0.1'] }] }] } };
// Images imported on the node, standing in for the runtimes' (multi-gigabyte, GPU) images.
const BUSYBOX = 'k8snode.local/busybox:1.35';

interface PodContainer {
  name: string;
  image: string;
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
}

describeWithKubeNode('image warmer on the real Kubernetes node', (node) => {
  const namespace = uniqueNamespace('hmas-warmer');
  const suffix = namespace.slice(-6);
  const clusterName = `warmer-${suffix}`;
  const NODE_HOST = node.runtimeImage;
  const TEST_IMAGES: Record<string, string> = { vllm: BUSYBOX, tgi: NODE_HOST, ollama: BUSYBOX };
  const kubectl = kubectlFor(node);
  let kubeconfig: string;
  let t: TestApp;
  let warmer: ImageWarmerService;
  let clusterId: string;
  const modelId = randomUUID();
  const deploymentIds: string[] = [];

  const deploy = async (runtime: string) => {
    const id = randomUUID();
    await t.database.handle.db.insert(deployments).values({ id, name: `warm-${runtime}-${suffix}`, modelId, clusterId, runtime, replicas: 1 });
    deploymentIds.push(id);
    return id;
  };
  const warmerStatus = async (): Promise<ImageWarmerStatus> => {
    const response = await t.app.inject({ method: 'GET', url: `/api/clusters/${clusterName}/warmer`, headers: await t.admin() });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  /** Syncs as the loop does, until the API shows `phase` (the shared node may take a minute or two to start and replace pods). */
  const syncUntil = async (phase: ImageWarmerStatus['phase'], timeoutMs = 170_000): Promise<ImageWarmerStatus> => {
    const deadline = Date.now() + timeoutMs;
    let status = await warmerStatus();
    while (Date.now() < deadline) {
      await warmer.syncAll(new AbortController().signal);
      status = await warmerStatus();
      if (status.phase === phase) return status;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    throw new Error(`the warmer did not reach ${phase}: ${JSON.stringify(status)}`);
  };
  const daemonSet = () =>
    kubectl.json<{
      metadata: { annotations: Record<string, string>; labels: Record<string, string> };
      spec: { template: { spec: { initContainers: PodContainer[]; containers: PodContainer[]; tolerations: unknown[] } } };
    }>(['-n', namespace, 'get', 'daemonset', IMAGE_WARMER_NAME]);

  beforeAll(async () => {
    kubeconfig = await inlineKubeconfig(node.kubeconfig);
    t = await createTestApp('pglite');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/clusters',
      headers: await t.admin(),
      payload: { name: clusterName, connection: { kind: 'kubeconfig', kubeconfig, namespace } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const db = t.database.handle.db;
    clusterId = (await db.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, clusterName)))[0]!.id;
    await db.insert(models).values({ id: modelId, name: `warm-model-${suffix}`, format: 'gguf', source: 'local', localPath: '/nonexistent/warm.gguf', category: 'LLM' });
    warmer = createImageWarmerService({
      repo: createImageWarmerRepo(db),
      clusters: createClusterRepo(db),
      connect: () => daemonSetApiOf(createKubeWorkloadClient(parseKubeconfig(kubeconfig))),
      imageOf: (_cluster, runtime) => TEST_IMAGES[runtime] ?? null,
      renderOptions: () => ({ pauseImage: 'k8snode.local/pause:3.4', nodeAffinity: onThisNode }),
    });
  });

  afterAll(async () => {
    if (t) {
      const db = t.database.handle.db;
      if (deploymentIds.length > 0) await db.delete(deployments).where(inArray(deployments.id, deploymentIds));
      await db.delete(models).where(eq(models.id, modelId));
      await t.close();
    }
    await kubectl(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']).catch(() => undefined);
  });

  it('shows pending before the first sync and idle while no deployment needs an image, without creating anything', async () => {
    expect(await warmerStatus()).toMatchObject({ cluster: clusterName, enabled: true, phase: 'pending', namespace, daemonSet: null });
    await deploy('embedded-llamacpp');
    await warmer.syncAll(new AbortController().signal);
    expect(await warmerStatus()).toMatchObject({ phase: 'idle', images: [], daemonSet: null, lastError: null });
    await expect(kubectl(['-n', namespace, 'get', 'daemonset', IMAGE_WARMER_NAME])).rejects.toThrow(/NotFound|not found/);
  });

  it('creates the DaemonSet with an init container per image of the deployed runtimes, the required resources, and a pod that becomes ready', async () => {
    await deploy('vllm');
    await deploy('tgi');
    await deploy('ollama');
    const ready = await syncUntil('ready');
    expect(ready).toMatchObject({
      phase: 'ready',
      namespace,
      daemonSet: IMAGE_WARMER_NAME,
      images: [
        { image: NODE_HOST, runtimes: ['tgi'] },
        { image: BUSYBOX, runtimes: ['ollama', 'vllm'] },
      ],
      nodes: { desired: 1, ready: 1, updated: 1 },
      lastError: null,
    });
    expect(ready.lastChangeAt).not.toBeNull();

    const applied = await daemonSet();
    expect(applied.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'hmas', 'hmas.io/cluster': clusterName });
    const pod = applied.spec.template.spec;
    expect(pod.initContainers.map((c) => c.image)).toEqual([NODE_HOST, BUSYBOX]);
    expect(pod.containers.map((c) => c.image)).toEqual(['k8snode.local/pause:3.4']);
    expect(pod.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists' });
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.resources, c.name).toEqual({ requests: { memory: '4Mi' }, limits: { memory: '32Mi', cpu: '10m' } });
    }
    // The pulls really ran: each init container exited 0 on the node.
    const pods = await kubectl.json<{
      items: Array<{ spec: { nodeName: string }; status: { initContainerStatuses: Array<{ image: string; state: { terminated?: { exitCode: number } } }> } }>;
    }>(['-n', namespace, 'get', 'pods', '-l', `app.kubernetes.io/name=${IMAGE_WARMER_NAME}`]);
    const running = pods.items.filter((item) => item.status.initContainerStatuses?.every((s) => s.state.terminated?.exitCode === 0));
    expect(running.map((item) => item.spec.nodeName)).toEqual(['127.0.0.1']);
  }, 200_000);

  it('updates the DaemonSet when the set of images changes, and leaves it alone when it does not', async () => {
    const before = (await daemonSet()).metadata.annotations[IMAGE_WARMER_HASH_ANNOTATION];
    await warmer.syncAll(new AbortController().signal);
    expect((await daemonSet()).metadata.annotations[IMAGE_WARMER_HASH_ANNOTATION]).toBe(before);

    const tgi = deploymentIds[2]!;
    await t.database.handle.db.delete(deployments).where(eq(deployments.id, tgi));
    const ready = await syncUntil('ready');
    expect(ready.images).toEqual([{ image: BUSYBOX, runtimes: ['ollama', 'vllm'] }]);
    const applied = await daemonSet();
    expect(applied.metadata.annotations[IMAGE_WARMER_HASH_ANNOTATION]).not.toBe(before);
    expect(applied.spec.template.spec.initContainers.map((c) => c.image)).toEqual([BUSYBOX]);
  }, 200_000);

  it('removes the DaemonSet when image pre-caching is turned off for the cluster', async () => {
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/clusters/${clusterName}`, headers: await t.admin(), payload: { imagePrecache: false } });
    expect(patched.statusCode, patched.body).toBe(200);
    await warmer.syncAll(new AbortController().signal);
    expect(await warmerStatus()).toMatchObject({ enabled: false, phase: 'off', daemonSet: null, images: [], nodes: { desired: 0, ready: 0, updated: 0 } });
    await expect(kubectl(['-n', namespace, 'get', 'daemonset', IMAGE_WARMER_NAME])).rejects.toThrow(/NotFound|not found/);
  });
});
