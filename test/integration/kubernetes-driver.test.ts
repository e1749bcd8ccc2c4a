// The Kubernetes driver on the real single-node cluster (test/support/kube-node.ts): the same
// contract as the local driver, with the fake runtime run by the host's node inside pods of the
// test image (busybox; the host's /usr, the repository and the compiled fake mounted by hostPath).
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKubernetesDriver, type KubernetesDriver } from '../../src/clusters/kubernetes/kubernetes-driver.js';
import { parseKubeconfig } from '../../src/clusters/kubernetes/kubeconfig.js';
import type { KubernetesWorkloadSettings } from '../../src/domain/cluster.js';
import { renderWorkloadSpec, type WorkloadRuntime } from '../../src/domain/workload.js';
import { clusterDriverContract, type DriverHarness } from '../contracts/cluster-driver.contract.js';
import { fakeRuntime, fakeRuntimeProgram, type FakeBehaviour } from '../support/fake-runtime.js';
import { describeWithKubeNode, type KubeNode } from '../support/kube-node.js';
import { inlineKubeconfig, testPodSettings } from '../support/kube-test-pods.js';
import { waitFor } from '../support/wait-for.js';

const run = promisify(execFile);
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
/** The node has two cores shared by every suite: replicas ask for little (the memory limit is what OOM-kills the hog). */
const SMALL = { gpuCount: 0, cpu: '50m', memory: '256Mi' };
const NAMESPACE = `k8sdrv-${process.pid}-${randomBytes(3).toString('hex')}`;

/**
 * On Kubernetes a replica killed by SIGKILL is the kernel's OOM killer at work: the runtime for
 * the fake's `sigkillAfterMs` fills memory past the pod's limit (1Gi, the default resources)
 * instead, so the kubelet really reports OOMKilled.
 */
function memoryHog(behaviour: FakeBehaviour): WorkloadRuntime {
  const script = `setTimeout(() => { const kept = []; setInterval(() => kept.push(Buffer.alloc(256 * 1024 * 1024, 1)), 20); }, ${behaviour.sigkillAfterMs ?? 0});`;
  return { ...fakeRuntime('', behaviour), command: { host: [process.execPath, '-e', script, '--'] } };
}

/** Host processes of a pod's containers: the kubelet sets HOSTNAME to the pod's name. */
async function podProcesses(pod: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'latin1').catch(() => '');
    if (environ.split('\0').includes(`HOSTNAME=${pod}`)) found.push(Number(entry));
  }
  return found;
}

describeWithKubeNode('Kubernetes driver on the real node', (node: KubeNode) => {
  // Pods start in seconds, but the kubelet's back-off (10 s, 20 s, …) and Terminating pods take longer.
  vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });
  const kubectl = (args: string[]) => run(node.kubectl, ['--kubeconfig', node.kubeconfigPath, ...args], { maxBuffer: 16 * 1024 * 1024 });
  let program = '';
  let settings: Partial<KubernetesWorkloadSettings> = {};
  let kubeconfig = '';

  beforeAll(async () => {
    program = await fakeRuntimeProgram();
    kubeconfig = await inlineKubeconfig(node.kubeconfig);
    settings = testPodSettings(program);
  });
  afterAll(async () => {
    await kubectl(['delete', 'namespace', NAMESPACE, '--wait=false', '--ignore-not-found']).catch(() => undefined);
  });

  const makeDriver = (overrides: Partial<Parameters<typeof createKubernetesDriver>[0]> = {}): KubernetesDriver =>
    createKubernetesDriver({
      cluster: { name: 'test-node', type: 'HP', scheduler: 'default' },
      kubeconfig: parseKubeconfig(kubeconfig),
      namespace: NAMESPACE,
      settings,
      runtimeImages: { llamacpp: { image: 'ghcr.io/ggml-org/llama.cpp:server', hostCommand: ['llama-server'], containerCommand: null } },
      logger,
      timing: { terminationGraceSeconds: 3, listWatch: { initialBackoffMs: 200, maxBackoffMs: 2000 } },
      ...overrides,
    });

  async function createHarness(): Promise<DriverHarness> {
    const harness: DriverHarness = {
      driver: makeDriver(),
      runtime: (behaviour) => (behaviour.sigkillAfterMs !== undefined ? memoryHog(behaviour) : fakeRuntime(program, behaviour)),
      missingRuntime: () => ({ runtime: fakeRuntime(program, {}, { binary: 'hmas-test-no-such-runtime' }), program: 'hmas-test-no-such-runtime' }),
      replicaRunning: async (replica) => (await podProcesses(replica.id)).length > 0,
      async restartDriver(meanwhile) {
        await harness.driver.close();
        await meanwhile?.();
        harness.driver = makeDriver();
        return harness.driver;
      },
      async killReplica(replica) {
        const pids = await podProcesses(replica.id);
        for (const pid of pids) process.kill(pid, 'SIGKILL');
        await waitFor(`the processes of ${replica.id} to end`, async () => ((await podProcesses(replica.id)).some((pid) => pids.includes(pid)) ? undefined : true));
        // …and until the kubelet has seen it (it restarts the container and counts the restart).
        await waitFor(`the kubelet to restart ${replica.id}`, async () => {
          const { stdout } = await kubectl(['get', 'pod', replica.id, '-n', NAMESPACE, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']);
          return Number(stdout) > replica.restarts ? true : undefined;
        }, { timeoutMs: 60_000, pollMs: 250 });
      },
      async close() {
        for (const summary of await harness.driver.list()) await harness.driver.remove(summary.name);
        await harness.driver.close();
      },
    };
    return harness;
  }

  clusterDriverContract('kubernetes driver', {
    createHarness,
    resourceProfile: SMALL,
    waitMs: 120_000,
    capabilities: { endpointsPerReplica: false, replicaPids: false, adoptionEvents: false, exactBackOffCounts: false },
  });

  describe('Kubernetes specifics', () => {
    let driver: KubernetesDriver;
    let counter = 0;
    beforeAll(() => {
      driver = makeDriver({ resolveSecret: async (name) => (name === 'test-secret' ? 'value-from-a-secret' : undefined) });
    });
    afterAll(async () => {
      for (const summary of await driver.list()) await driver.remove(summary.name);
      await driver.close();
    });

    const render = (runtime: WorkloadRuntime, optimization = {}) =>
      renderWorkloadSpec({
        deployment: { id: randomUUID(), name: `k8s-${process.pid % 10_000}-${(counter += 1)}`, replicas: 1 },
        model: { name: 'fake-model', localPath: '/models/fake-model.gguf' },
        runtime,
        optimization,
        resourceProfile: SMALL,
        progressDeadlineSeconds: 120,
      }).spec;
    const available = (name: string) =>
      waitFor(`${name} available`, async () => ((await driver.status(name))?.phase === 'Available' ? true : undefined), { timeoutMs: 120_000, describe: () => driver.status(name) });
    const get = async (kind: string, name: string) => JSON.parse((await kubectl(['get', kind, name, '-n', NAMESPACE, '-o', 'json'])).stdout) as { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, unknown> };

    it('pauses with the replica count kept in an annotation, resumes with it, and labels what it creates', async () => {
      const workload = { ...render(fakeRuntime(program, {})), replicas: 2 };
      await driver.apply(workload);
      await available(workload.name);
      const deployment = await get('deployment', workload.name);
      expect(deployment.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'hmas', 'hmas.io/deployment': workload.deploymentId, 'hmas.io/cluster': 'test-node', 'hmas.io/runtime': 'llamacpp' });
      expect((await get('service', workload.name)).spec).toMatchObject({ type: 'NodePort' });

      await driver.scale(workload.name, 0);
      const paused = await get('deployment', workload.name);
      expect(paused.spec.replicas).toBe(0);
      expect(paused.metadata.annotations?.['hmas.io/paused-replicas']).toBe('2');
      await driver.scale(workload.name, 2);
      const resumed = await get('deployment', workload.name);
      expect(resumed.spec.replicas).toBe(2);
      expect(resumed.metadata.annotations?.['hmas.io/paused-replicas']).toBeUndefined();
    });

    it('passes secrets by secretKeyRef and the replica token only to the gateway, and deletes both with the workload', async () => {
      // The readiness probe sends no token (vLLM, llama.cpp and TEI keep their health path open), so
      // the fake reads its key from a variable it does not check: the test follows the token's way.
      const workload = render(fakeRuntime(program, {}, { apiKeyEnv: 'REPLICA_TOKEN' }), { raw: { extraEnv: { FROM_SECRET: { secretRef: 'test-secret' } } } });
      await driver.apply(workload);
      await available(workload.name);
      const secret = await get('secret', `${workload.name}-secrets`);
      expect(secret.metadata.labels['app.kubernetes.io/instance']).toBe(workload.name);
      const spec = JSON.stringify((await get('deployment', workload.name)).spec);
      expect(spec).not.toContain('value-from-a-secret');
      expect(spec).toContain(JSON.stringify({ name: 'FROM_SECRET', valueFrom: { secretKeyRef: { key: 'test-secret', name: `${workload.name}-secrets`, optional: false } } }));
      expect(spec).toContain(JSON.stringify({ name: 'REPLICA_TOKEN', valueFrom: { secretKeyRef: { key: 'token', name: `${workload.name}-token`, optional: false } } }));

      const [upstream] = await driver.upstreams(workload.name);
      expect(upstream?.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const stored = (await get('secret', `${workload.name}-token`)) as unknown as { data: { token: string } };
      expect(Buffer.from(stored.data.token, 'base64').toString()).toBe(upstream?.token);
      expect(spec).not.toContain(upstream?.token);
      expect(JSON.stringify(await driver.endpoints(workload.name))).not.toContain(upstream?.token);
      expect((await fetch(`${upstream?.url}/models`)).status).toBe(200);

      expect(await driver.remove(workload.name)).toEqual({ removed: true });
      const left = await kubectl(['get', 'deployment,service,secret', '-n', NAMESPACE, '-l', `app.kubernetes.io/instance=${workload.name}`, '-o', 'name']);
      expect(left.stdout.trim().split('\n').filter((line) => line && !line.startsWith('deployment'))).toEqual([]);
    });
  });
});
