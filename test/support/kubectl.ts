// kubectl of the test node, for suites that check what the API server accepts and what pods do
// (the product talks to clusters through @kubernetes/client-node; tests use the operator's tool).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { KubeNode } from './kube-node.js';

export interface Kubectl {
  /** Runs kubectl with the node's admin kubeconfig; rejects with kubectl's stderr when it fails. */
  (args: string[], input?: string): Promise<string>;
  /** Parsed `-o json` answer. */
  json<T = Record<string, unknown>>(args: string[]): Promise<T>;
}

export function kubectlFor(node: KubeNode): Kubectl {
  const run = (args: string[], input?: string) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile(node.kubectl, ['--kubeconfig', node.kubeconfigPath, ...args], { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      });
      child.stdin?.end(input ?? '');
    });
  return Object.assign(run, { json: async <T>(args: string[]) => JSON.parse(await run([...args, '-o', 'json'])) as T });
}

/** A namespace name no other run or helper uses: `prefix-<random>`. */
export const uniqueNamespace = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
