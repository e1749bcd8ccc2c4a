// The Karmada federation driver against a Karmada API server (a stock kube-apiserver with
// Karmada's CRDs: test/support/karmada-apiserver.ts) whose member cluster is the real node,
// registered in H-MAS too (the Kubernetes driver, same namespace). Karmada's controllers cannot be
// built here: the test plays their part (test/support/karmada-stand-in.ts) and says so in the
// names of the tests that rely on it.
import { randomBytes, randomUUID } from 'node:crypto';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createFederationConnector } from '../../src/clusters/federation/federation-connector.js';
import { createFederationDriver, type FederationDriver, type FederationDriverDeps } from '../../src/clusters/federation/federation-driver.js';
import type { FederationPlacement } from '../../src/clusters/federation/federation-placement.js';
import { federationTemplates } from '../../src/clusters/federation/federation-templates.js';
import { parseKubeconfig } from '../../src/clusters/kubernetes/kubeconfig.js';
import { createKubeObjectClient } from '../../src/clusters/kubernetes/kube-object-client.js';
import { createKubeWorkloadClient } from '../../src/clusters/kubernetes/kube-workload-client.js';
import { createKubernetesDriver, type KubernetesDriver } from '../../src/clusters/kubernetes/kubernetes-driver.js';
import type { RuntimeImages } from '../../src/clusters/kubernetes/workload-image.js';
import { renderDeployment, renderService } from '../../src/clusters/kubernetes/workload-manifests.js';
import type { KubernetesWorkloadSettings } from '../../src/domain/cluster.js';
import { renderWorkloadSpec, type WorkloadSpec, type WorkloadStatus } from '../../src/domain/workload.js';
import { fakeRuntime, fakeRuntimeProgram } from '../support/fake-runtime.js';
import { inlineKubeconfig, TEST_IMAGE, testPodSettings } from '../support/kube-test-pods.js';
import { startKarmadaApiServer, type KarmadaApiServer } from '../support/karmada-apiserver.js';
import { createKarmadaStandIn, kubeConfigOf } from '../support/karmada-stand-in.js';
import { describeWithKubeNode, type KubeNode } from '../support/kube-node.js';
import { waitFor } from '../support/wait-for.js';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const PREFIX = `kfed-${process.pid}-${randomBytes(3).toString('hex')}`;
const NAMESPACE = PREFIX;
const MEMBER = 'member-node';
const WAIT_MS = 120_000;

describeWithKubeNode('Karmada federation driver (Karmada API server + the real node as its member)', (node: KubeNode) => {
  // Pods start in seconds, but not on a busy machine; the first run also builds the Karmada API server.
  vi.setConfig({ testTimeout: 180_000, hookTimeout: 600_000 });
  let karmada: KarmadaApiServer;
  let member: KubernetesDriver;
  let driver: FederationDriver;
  let deps: FederationDriverDeps;
  let standIn: ReturnType<typeof createKarmadaStandIn>;
  let karmadaCustom: CustomObjectsApi;
  let karmadaApps: AppsV1Api;
  let memberApps: AppsV1Api;
  let program = '';
  let memberKubeconfig = '';
  let spec: WorkloadSpec;
  const runtimeImages: RuntimeImages = { llamacpp: { image: 'ghcr.io/ggml-org/llama.cpp:server', hostCommand: ['llama-server'], containerCommand: null } };
  let settings: Partial<KubernetesWorkloadSettings> = {};
  const placement: FederationPlacement = {
    // Small requests: the node's two CPUs are shared with the other suites' pods.
    members: [{ name: MEMBER, resources: { gpuCount: 0, cpu: '100m', memory: '128Mi' }, imageRegistry: 'hmas-test.local' }],
    replicaScheduling: 'Divided',
    dynamicWeight: false,
  };

  const policy = (plural: string, name: string) =>
    karmadaCustom.getNamespacedCustomObject({ group: 'policy.karmada.io', version: 'v1alpha1', namespace: NAMESPACE, plural, name }).then(
      (found: unknown) => found as Record<string, unknown>,
      () => undefined,
    );
  const statusWhere = (what: string, test: (status: WorkloadStatus) => boolean) =>
    waitFor(
      what,
      async () => {
        const status = await driver.status(spec.name);
        return status && test(status) ? status : undefined;
      },
      { timeoutMs: WAIT_MS, describe: () => driver.status(spec.name) },
    );

  /** Karmada's status controller keeps syncing: the stand-in aggregates at every look until the status is what the test waits for. */
  const aggregatedWhere = (what: string, test: (status: WorkloadStatus) => boolean) =>
    waitFor(
      what,
      async () => {
        await standIn.aggregate(spec.name);
        const status = await driver.status(spec.name);
        return status && test(status) ? status : undefined;
      },
      { timeoutMs: WAIT_MS, describe: () => driver.status(spec.name) },
    );

  beforeAll(async () => {
    program = await fakeRuntimeProgram();
    memberKubeconfig = await inlineKubeconfig(node.kubeconfig);
    karmada = await startKarmadaApiServer(node, PREFIX);
    settings = testPodSettings(program);
    const karmadaConfig = parseKubeconfig(karmada.kubeconfig);
    member = createKubernetesDriver({
      cluster: { name: MEMBER, type: 'HP', scheduler: 'default' },
      kubeconfig: parseKubeconfig(memberKubeconfig),
      namespace: NAMESPACE,
      settings,
      runtimeImages,
      logger,
      timing: { terminationGraceSeconds: 3, removeWaitMs: 30_000, listWatch: { initialBackoffMs: 200, maxBackoffMs: 2000 } },
    });
    deps = {
      connector: createFederationConnector({ kubeconfig: karmadaConfig, memberCluster: MEMBER, timeoutMs: 10_000, now: () => new Date() }),
      client: createKubeObjectClient(karmadaConfig),
      templateClient: createKubeWorkloadClient(karmadaConfig),
      namespace: NAMESPACE,
      memberCluster: MEMBER,
      templates: async (workload) => {
        const context = { namespace: NAMESPACE, cluster: { name: 'karmada-fed' }, images: runtimeImages, settings, scheduling: { labels: {} }, secretEnv: [], tokenSecret: null, terminationGraceSeconds: 3 };
        return [renderDeployment(workload, context), renderService(workload, context)];
      },
      placement: () => placement,
      memberDriver: (name) => (name === MEMBER ? member : null),
      logger,
    };
    driver = createFederationDriver(deps);
    const karmadaKc = kubeConfigOf(karmada.kubeconfig);
    karmadaCustom = karmadaKc.makeApiClient(CustomObjectsApi);
    karmadaApps = karmadaKc.makeApiClient(AppsV1Api);
    memberApps = kubeConfigOf(memberKubeconfig).makeApiClient(AppsV1Api);
    standIn = createKarmadaStandIn({ karmada: karmadaKc, member: kubeConfigOf(memberKubeconfig), memberObjects: createKubeWorkloadClient(parseKubeconfig(memberKubeconfig)), memberName: MEMBER, namespace: NAMESPACE });
    // The member as Karmada's cluster status controller reports it.
    await standIn.registerMember();
    spec = renderWorkloadSpec({
      deployment: { id: randomUUID(), name: `fed-${process.pid % 10_000}`, replicas: 1 },
      model: { name: 'fake-model', localPath: '/models/fake-model.gguf' },
      runtime: fakeRuntime(program, {}),
      progressDeadlineSeconds: 120,
    }).spec;
  }, 600_000);

  afterAll(async () => {
    if (spec) await driver?.remove(spec.name).catch(() => undefined);
    if (spec) await member?.remove(spec.name).catch(() => undefined);
    await member?.close();
    await driver?.close();
    await karmada?.close();
    const { execFile } = await import('node:child_process');
    await new Promise((resolve) => execFile(node.kubectl, ['--kubeconfig', node.kubeconfigPath, 'delete', 'namespace', NAMESPACE, '--wait=false', '--ignore-not-found'], resolve));
  }, 120_000);

  it('answers the connection test through Karmada\'s Cluster object (the test writes the status Karmada\'s controller would)', async () => {
    const result = await driver.test();
    expect(result).toMatchObject({ ok: true, readiness: 'ready' });
    expect(result.message).toContain(`member "${MEMBER}" is Ready`);
  });

  it('names the permission the Karmada API server refused (403) before writing anything', async () => {
    const unprivileged = parseKubeconfig(karmada.unprivilegedKubeconfig);
    const refused = createFederationDriver({ ...deps, client: createKubeObjectClient(unprivileged), templateClient: createKubeWorkloadClient(unprivileged) });
    await expect(refused.apply(spec)).rejects.toMatchObject({
      code: 'CLUSTER_FORBIDDEN',
      statusCode: 403,
      message: `the kubeconfig's user may not get propagationpolicies.policy.karmada.io in namespace ${NAMESPACE} (HTTP 403 from the cluster); grant it with a Role or ClusterRole.`,
    });
    await expect(refused.status(spec.name)).rejects.toMatchObject({ code: 'CLUSTER_FORBIDDEN' });
    expect(await driver.status(spec.name)).toBeNull();
  });

  it('applies the Deployment and Service templates with a PropagationPolicy and an OverridePolicy on the Karmada API server', async () => {
    expect(await driver.apply(spec)).toEqual({ action: 'created', specHash: spec.specHash });
    const template = await karmadaApps.readNamespacedDeployment({ name: spec.name, namespace: NAMESPACE });
    expect(template.spec?.replicas).toBe(1);
    expect(template.status?.replicas ?? 0).toBe(0); // nothing runs on the Karmada API server
    const propagation = await policy('propagationpolicies', spec.name);
    expect(propagation?.spec).toEqual({
      resourceSelectors: [
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NAMESPACE, name: spec.name },
        { apiVersion: 'v1', kind: 'Service', namespace: NAMESPACE, name: spec.name },
      ],
      placement: {
        clusterAffinity: { clusterNames: [MEMBER] },
        replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { staticWeightList: [{ targetCluster: { clusterNames: [MEMBER] }, weight: 1 }] } },
      },
    });
    const override = await policy('overridepolicies', spec.name);
    expect(override?.spec).toEqual({
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NAMESPACE, name: spec.name }],
      overrideRules: [
        {
          targetCluster: { clusterNames: [MEMBER] },
          overriders: {
            imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'hmas-test.local' }],
            plaintext: [{ path: '/spec/template/spec/containers/0/resources', operator: 'replace', value: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '128Mi' } } }],
          },
        },
      ],
    });
    const status = await driver.status(spec.name);
    expect(status).toMatchObject({ phase: 'Progressing', reason: null, message: `Waiting for Karmada to propagate ${spec.name} to ${MEMBER}` });
    expect(await driver.list()).toContainEqual({ name: spec.name, deploymentId: spec.deploymentId, specHash: spec.specHash, replicas: 1 });
    expect(await driver.apply(spec)).toEqual({ action: 'unchanged', specHash: spec.specHash });
  });

  it('is Available once the member runs it, with the member\'s replicas, endpoints and logs (the test writes the status Karmada\'s controller would)', async () => {
    await standIn.propagate(spec.name);
    const onMember = await memberApps.readNamespacedDeployment({ name: spec.name, namespace: NAMESPACE });
    expect(onMember.spec?.template.spec?.containers[0]?.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '128Mi' } });
    expect(onMember.spec?.template.spec?.containers[0]?.image).toBe(TEST_IMAGE);
    await waitFor('the member to serve', async () => ((await member.status(spec.name))?.phase === 'Available' ? true : undefined), { timeoutMs: WAIT_MS, describe: () => member.status(spec.name) });
    const status = await aggregatedWhere('Karmada\'s aggregated status to be Available', (seen) => seen.phase === 'Available');
    expect(status.replicas).toEqual({ desired: 1, current: 1, ready: 1, available: 1, updated: 1 });
    expect(status.replicaStatuses).toHaveLength(1);
    expect(status.replicaStatuses[0]?.id).toMatch(new RegExp(`^${MEMBER}/${spec.name}-`));
    const endpoints = await driver.endpoints(spec.name);
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]?.replica.startsWith(`${MEMBER}/`)).toBe(true);
    const upstreams = await driver.upstreams(spec.name);
    expect(upstreams).toHaveLength(1);
    expect(upstreams[0]?.token).toBeNull();
    const logs = await driver.logs(spec.name);
    expect(logs.map((entry) => entry.replica)).toEqual([status.replicaStatuses[0]?.id]);
  });

  it('pauses and resumes with a dual update: the template and the registered member at once, before Karmada propagates (the test writes the status Karmada\'s controller would)', async () => {
    await driver.scale(spec.name, 0);
    expect((await karmadaApps.readNamespacedDeployment({ name: spec.name, namespace: NAMESPACE })).spec?.replicas).toBe(0);
    // No propagation happened, yet the member is already paused (keeping its count for resume).
    const paused = await memberApps.readNamespacedDeployment({ name: spec.name, namespace: NAMESPACE });
    expect(paused.spec?.replicas).toBe(0);
    expect(paused.metadata?.annotations?.['hmas.io/paused-replicas']).toBe('1');
    // Karmada has not caught up: the status comes from the member directly.
    const stopped = await statusWhere('Stopped, read from the member', (seen) => seen.phase === 'Stopped');
    expect(stopped.replicas).toMatchObject({ desired: 0, current: 0 });
    expect(await driver.events(spec.name)).toContainEqual(expect.objectContaining({ type: 'Normal', reason: 'MemberScaled', involvedObject: { kind: 'Workload', name: spec.name } }));
    // The whole federation's events in one read (the event-copy loop's): the workload's own, named, and the member's replicas'.
    const all = await driver.clusterEvents!();
    expect(new Set(all.map((event) => event.workload))).toEqual(new Set([spec.name]));
    expect(all).toContainEqual(expect.objectContaining({ workload: spec.name, reason: 'MemberScaled', involvedObject: { kind: 'Workload', name: spec.name } }));
    expect(all.some((event) => event.involvedObject.kind === 'Replica' && event.involvedObject.name.startsWith(`${MEMBER}/${spec.name}-`))).toBe(true);
    expect(await driver.clusterEvents!(new Date(Date.now() + 3_600_000))).toEqual([]);

    await driver.scale(spec.name, 1);
    expect((await memberApps.readNamespacedDeployment({ name: spec.name, namespace: NAMESPACE })).spec?.replicas).toBe(1);
    await statusWhere('Available again, read from the member', (seen) => seen.phase === 'Available' && seen.replicas.ready === 1);
    // Karmada catches up and reports the same.
    await standIn.propagate(spec.name);
    expect(await aggregatedWhere('Karmada to report it Available', (seen) => seen.phase === 'Available')).toMatchObject({ replicas: { desired: 1, ready: 1 } });
    const template = await karmadaApps.readNamespacedDeployment({ name: spec.name, namespace: NAMESPACE });
    expect(template.status?.observedGeneration).toBe(template.metadata?.generation);
  });

  it('scales through apply with a new replica count, template and member alike', async () => {
    const two = renderWorkloadSpec({
      deployment: { id: spec.deploymentId, name: spec.name, replicas: 2 },
      model: { name: 'fake-model', localPath: '/models/fake-model.gguf' },
      runtime: fakeRuntime(program, {}),
      progressDeadlineSeconds: 120,
    }).spec;
    expect(two.specHash).toBe(spec.specHash);
    expect(await driver.apply(two)).toEqual({ action: 'scaled', specHash: spec.specHash });
    expect((await memberApps.readNamespacedDeployment({ name: spec.name, namespace: NAMESPACE })).spec?.replicas).toBe(2);
    await statusWhere('two replicas, read from the member', (seen) => seen.phase === 'Available' && seen.replicas.ready === 2);
  });

  it('removes the workload: nothing of it is left on the Karmada API server, and Karmada withdraws it from the member (the test does what Karmada\'s controller would)', async () => {
    expect(await driver.remove(spec.name)).toEqual({ removed: true });
    expect(await standIn.collectGarbage()).toBeGreaterThanOrEqual(1);
    expect(await policy('propagationpolicies', spec.name)).toBeUndefined();
    expect(await policy('overridepolicies', spec.name)).toBeUndefined();
    await expect(karmadaApps.readNamespacedDeployment({ name: spec.name, namespace: NAMESPACE })).rejects.toMatchObject({ code: 404 });
    expect(await driver.status(spec.name)).toBeNull();
    expect(await driver.events(spec.name)).toEqual([]);
    expect(await driver.endpoints(spec.name)).toEqual([]);
    expect((await driver.list()).map((summary) => summary.name)).not.toContain(spec.name);
    expect(await driver.remove(spec.name)).toEqual({ removed: false });
    await expect(driver.scale(spec.name, 1)).rejects.toMatchObject({ code: 'WORKLOAD_NOT_FOUND', statusCode: 404 });
    await standIn.withdraw(spec.name, [
      { kind: 'deployments', name: spec.name },
      { kind: 'services', name: spec.name },
    ]);
    await waitFor('the member to drop it', async () => ((await member.status(spec.name)) === null ? true : undefined), { timeoutMs: WAIT_MS });
  });

  it('keeps a replica token for a runtime that takes one: a Secret template the PropagationPolicy selects, the same across applies and driver instances, gone with the workload (the test collects garbage as Karmada would)', async () => {
    const templates = federationTemplates({ namespace: NAMESPACE, cluster: { name: 'karmada-fed', type: 'HP', scheduler: 'default' }, images: runtimeImages, settings });
    const withToken = createFederationDriver({ ...deps, templates });
    const tokenSpec = renderWorkloadSpec({
      deployment: { id: randomUUID(), name: `fedtok-${process.pid % 10_000}`, replicas: 1 },
      model: { name: 'fake-model', localPath: '/models/fake-model.gguf' },
      runtime: fakeRuntime(program, {}, { apiKeyEnv: 'REPLICA_TOKEN' }),
    }).spec;
    const tokenName = `${tokenSpec.name}-token`;
    const karmadaCore = kubeConfigOf(karmada.kubeconfig).makeApiClient(CoreV1Api);
    const storedToken = async () => Buffer.from((await karmadaCore.readNamespacedSecret({ name: tokenName, namespace: NAMESPACE })).data?.token ?? '', 'base64').toString('utf8');
    try {
      expect((await withToken.apply(tokenSpec)).action).toBe('created');
      const token = await storedToken();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const propagation = (await policy('propagationpolicies', tokenSpec.name)) as { spec: { resourceSelectors: unknown[] } };
      expect(propagation.spec.resourceSelectors).toContainEqual({ apiVersion: 'v1', kind: 'Secret', namespace: NAMESPACE, name: tokenName });
      const template = await karmadaApps.readNamespacedDeployment({ name: tokenSpec.name, namespace: NAMESPACE });
      expect(template.spec?.template.spec?.containers[0]?.env).toContainEqual({ name: 'REPLICA_TOKEN', valueFrom: { secretKeyRef: { name: tokenName, key: 'token', optional: false } } });
      // Another H-MAS instance (or this one restarted) re-applies it: the token running pods hold stays.
      expect((await createFederationDriver({ ...deps, templates }).apply(tokenSpec)).action).toBe('unchanged');
      expect(await storedToken()).toBe(token);
      expect(await withToken.remove(tokenSpec.name)).toEqual({ removed: true });
      // Deleted in the foreground: Karmada's garbage collector (the stand-in) lets it go.
      await standIn.collectGarbage();
      await expect(karmadaCore.readNamespacedSecret({ name: tokenName, namespace: NAMESPACE })).rejects.toMatchObject({ code: 404 });
    } finally {
      await withToken.remove(tokenSpec.name).catch(() => undefined);
    }
  });
});
