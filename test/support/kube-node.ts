// The real single-node Kubernetes the Kubernetes suites run against (recipe: scripts/k8snode/,
// from ../shared/k8s). Where it is: HMAS_TEST_KUBECONFIG, else the node started under
// $K8SNODE_HOME (default ~/.cache/k8snode). Suites that need it use `describeWithKubeNode`:
// without a node they are skipped with a loud reason — except under CI=true, where they fail.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';

export interface KubeNode {
  /** Admin kubeconfig (YAML text) and its path. */
  kubeconfig: string;
  kubeconfigPath: string;
  /** kubectl built with the node. */
  kubectl: string;
  /** containerd's socket, for `ctr -n k8s.io images import`. */
  containerdSocket: string;
  /** Where the node's build, images and run state live. */
  home: string;
}

export const kubeNodeHome = (): string => process.env.K8SNODE_HOME ?? path.join(homedir(), '.cache', 'k8snode');

function apiServerRunning(runDir: string): boolean {
  const pidFile = path.join(runDir, 'pids', 'kube-apiserver.pid');
  if (!existsSync(pidFile)) return false;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}

/** The node, or why there is none. */
export function findKubeNode(): { node: KubeNode } | { skip: string } {
  const home = kubeNodeHome();
  const runDir = path.join(home, 'run');
  const kubeconfigPath = process.env.HMAS_TEST_KUBECONFIG ?? path.join(runDir, 'admin.kubeconfig');
  if (!existsSync(kubeconfigPath)) return { skip: `no Kubernetes node: ${kubeconfigPath} does not exist (build and start one with scripts/k8snode, as .ci/run does)` };
  if (!process.env.HMAS_TEST_KUBECONFIG && !apiServerRunning(runDir)) return { skip: `no Kubernetes node: the kube-apiserver under ${runDir} is not running (start it with scripts/k8snode/start-node.sh)` };
  return {
    node: {
      kubeconfig: readFileSync(kubeconfigPath, 'utf8'),
      kubeconfigPath,
      kubectl: process.env.HMAS_TEST_KUBECTL ?? path.join(home, 'build', 'bin', 'kubectl'),
      containerdSocket: path.join(runDir, 'containerd', 'containerd.sock'),
      home,
    },
  };
}

/**
 * `describe` for suites that need the node: skipped loudly without one, failing under CI=true
 * (CI machines can run the node, so a skip there would hide a broken set-up).
 */
export function describeWithKubeNode(name: string, body: (node: KubeNode) => void): void {
  const found = findKubeNode();
  if ('node' in found) {
    describe(name, () => body(found.node));
    return;
  }
  if (process.env.CI === 'true') throw new Error(`${name}: ${found.skip} — CI must run the Kubernetes suites.`);
  console.warn(`\n⚠ SKIPPED "${name}": ${found.skip}\n`);
  describe.skip(name, () => body(undefined as never));
}
