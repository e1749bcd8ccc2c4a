// The real single-node Kubernetes the Kubernetes suites run against (recipe: scripts/k8snode/,
// from ../shared/k8s). Where it is: HMAS_TEST_KUBECONFIG, else the node started under
// $K8SNODE_HOME (default ~/.cache/k8snode). The vitest global setup (kube-node.global-setup.ts)
// starts a built node that is not running and says so here through the environment. Suites that
// need it use `describeWithKubeNode`: without a node they are skipped with a loud reason — except
// under CI=true, where they fail.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';
import { KUBE_NODE_UNAVAILABLE_ENV, NODE_HOST_IMAGE, REPO_ROOT, apiServerRunning, kubeNodeLayout } from './kube-node-layout.js';

export { KUBE_NODE_UNAVAILABLE_ENV, NODE_HOST_IMAGE, REPO_ROOT, apiServerRunning, kubeNodeHome, kubeNodeLayout } from './kube-node-layout.js';

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
  /** NODE_HOST_IMAGE, imported into the node by the global setup. */
  runtimeImage: string;
}

/** The node, or why there is none. */
export function findKubeNode(): { node: KubeNode } | { skip: string } {
  const layout = kubeNodeLayout();
  const unavailable = process.env[KUBE_NODE_UNAVAILABLE_ENV];
  const kubeconfigPath = process.env.HMAS_TEST_KUBECONFIG ?? layout.kubeconfigPath;
  if (!existsSync(kubeconfigPath)) return { skip: unavailable ?? `no Kubernetes node: ${kubeconfigPath} does not exist (build and start one with scripts/k8snode, as .ci/run does)` };
  if (!process.env.HMAS_TEST_KUBECONFIG && !apiServerRunning(layout.runDir)) return { skip: unavailable ?? `no Kubernetes node: the kube-apiserver under ${layout.runDir} is not running (start it with scripts/k8snode/start-node.sh)` };
  return {
    node: {
      kubeconfig: readFileSync(kubeconfigPath, 'utf8'),
      kubeconfigPath,
      kubectl: process.env.HMAS_TEST_KUBECTL ?? path.join(layout.binDir, 'kubectl'),
      containerdSocket: layout.containerdSocket,
      home: layout.home,
      runtimeImage: NODE_HOST_IMAGE,
    },
  };
}

/**
 * The volumes and mounts a pod running NODE_HOST_IMAGE needs to run `node` and the repository's
 * files: the host's /usr read-only at /usr, and the repository at its own path — plus the real
 * node_modules where it is a link out of the repository (a git worktree sharing another's).
 */
export function nodeHostMounts(repoRoot = REPO_ROOT) {
  const paths = [repoRoot];
  const modules = path.join(repoRoot, 'node_modules');
  if (existsSync(modules) && realpathSync(modules) !== modules) paths.push(realpathSync(modules));
  return {
    volumes: [
      { name: 'host-usr', hostPath: { path: '/usr', type: 'Directory' } },
      ...paths.map((hostPath, index) => ({ name: `repo-${index}`, hostPath: { path: hostPath, type: 'Directory' } })),
    ],
    volumeMounts: [
      { name: 'host-usr', mountPath: '/usr', readOnly: true },
      ...paths.map((hostPath, index) => ({ name: `repo-${index}`, mountPath: hostPath, readOnly: true })),
    ],
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

/** `hostPathMounts` (cluster workload settings) that let NODE_HOST_IMAGE run this checkout as H-MAS's image does, from /app. */
export function selfImageMounts(repoRoot = REPO_ROOT): Array<{ hostPath: string; mountPath: string; readOnly: boolean }> {
  const mounts = [
    { hostPath: '/usr', mountPath: '/usr', readOnly: true },
    { hostPath: repoRoot, mountPath: '/app', readOnly: true },
  ];
  const modules = path.join(repoRoot, 'node_modules');
  if (existsSync(modules) && realpathSync(modules) !== modules) mounts.push({ hostPath: realpathSync(modules), mountPath: realpathSync(modules), readOnly: true });
  return mounts;
}
