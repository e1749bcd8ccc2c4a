// What the Kubernetes suites need to run the fake runtime in pods of the real node: the node's
// kubeconfig in a form H-MAS accepts, and workload settings that run the test image (busybox;
// node from the host's /usr, the repository and the compiled fake mounted by hostPath).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadYaml } from '@kubernetes/client-node';
import type { KubernetesWorkloadSettings } from '../../src/domain/cluster.js';

/** The test image (scripts/k8snode-runtime-image.sh). */
export const TEST_IMAGE = process.env.HMAS_TEST_RUNTIME_IMAGE ?? 'hmas-test.local/node-host:1';
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** The node's admin kubeconfig with its CA file inlined (H-MAS refuses kubeconfigs that read files). */
export async function inlineKubeconfig(text: string): Promise<string> {
  const config = loadYaml<{ clusters: Array<{ cluster: Record<string, unknown> }> }>(text);
  for (const { cluster } of config.clusters) {
    const file = cluster['certificate-authority'];
    if (typeof file === 'string') {
      cluster['certificate-authority-data'] = (await readFile(file)).toString('base64');
      delete cluster['certificate-authority'];
    }
  }
  return JSON.stringify(config);
}

/** Settings that run `program` (fakeRuntimeProgram()) with the host's node in the test image. */
export function testPodSettings(program: string): Partial<KubernetesWorkloadSettings> {
  return {
    images: { llamacpp: TEST_IMAGE },
    imagePullPolicy: 'IfNotPresent',
    hostPathMounts: [
      { hostPath: '/usr', mountPath: '/usr', readOnly: true },
      { hostPath: REPO_ROOT, mountPath: REPO_ROOT, readOnly: true },
      { hostPath: path.dirname(program), mountPath: path.dirname(program), readOnly: true },
    ],
  };
}
