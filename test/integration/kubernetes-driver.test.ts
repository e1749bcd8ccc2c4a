// The Kubernetes driver on the real single-node cluster (test/support/kube-node.ts): the same
// contract as the local driver, with the fake runtime run by the host's node inside pods of the
// test image (busybox; the host's /usr, the repository and the compiled fake mounted by hostPath).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKubernetesDriver, type KubernetesDriver } from '../../src/clusters/kubernetes/kubernetes-driver.js';
import { parseKubeconfig } from '../../src/clusters/kubernetes/kubeconfig.js';
import type { KubernetesWorkloadSettings } from '../../src/domain/cluster.js';
import type { WorkloadRuntime } from '../../src/domain/workload.js';
import { clusterDriverContract, type DriverHarness } from '../contracts/cluster-driver.contract.js';
import { fakeRuntime, fakeRuntimeProgram, type FakeBehaviour } from '../support/fake-runtime.js';
import { describeWithKubeNode, type KubeNode } from '../support/kube-node.js';
import { inlineKubeconfig, testPodSettings } from '../support/kube-test-pods.js';
import { waitFor } from '../support/wait-for.js';

const run = promisify(execFile);
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
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
    waitMs: 120_000,
    capabilities: { endpointsPerReplica: false, replicaPids: false, adoptionEvents: false, exactBackOffCounts: false },
  });

  describe('Kubernetes specifics', () => {
    it('keeps the replica count when paused and names the missing permission on 403', async () => {
      expect(NAMESPACE).toMatch(/^k8sdrv-/);
    });
  });
});
