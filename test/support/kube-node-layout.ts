// Where the recipe (scripts/k8snode/) keeps the node under $K8SNODE_HOME, and the names the test
// support shares. Imports nothing from vitest: the global setup runs in vitest's main process.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The image test pods run: busybox, with the host's /usr and the repository mounted (nodeHostMounts). */
export const NODE_HOST_IMAGE = 'hmas-test.local/node-host:1';

/** The repository root, which test pods mount at the same path. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** Set by the global setup when it could not provide a node: why (shown in every skip). */
export const KUBE_NODE_UNAVAILABLE_ENV = 'HMAS_TEST_KUBE_NODE_UNAVAILABLE';

export const kubeNodeHome = (): string => process.env.K8SNODE_HOME ?? path.join(homedir(), '.cache', 'k8snode');

/** Where the recipe keeps things under $K8SNODE_HOME (the same defaults as scripts/k8snode/*.sh). */
export function kubeNodeLayout(home = kubeNodeHome()) {
  const runDir = path.join(home, 'run');
  return {
    home,
    binDir: path.join(home, 'build', 'bin'),
    imageDir: path.join(home, 'images'),
    runDir,
    kubeconfigPath: path.join(runDir, 'admin.kubeconfig'),
    containerdSocket: path.join(runDir, 'containerd', 'containerd.sock'),
  };
}

export type KubeNodeLayout = ReturnType<typeof kubeNodeLayout>;

export function apiServerRunning(runDir: string): boolean {
  const pidFile = path.join(runDir, 'pids', 'kube-apiserver.pid');
  if (!existsSync(pidFile)) return false;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}
