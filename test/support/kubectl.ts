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
  /** `kubectl auth can-i VERB RESOURCE --as USER`: whether the API server allows it. */
  canI(user: string, verb: string, resource: string, namespace?: string): Promise<boolean>;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectlFor(node: KubeNode): Kubectl {
  const exec = (args: string[], input?: string) =>
    new Promise<Outcome>((resolve) => {
      const child = execFile(node.kubectl, ['--kubeconfig', node.kubeconfigPath, ...args], { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr: stderr || (error?.message ?? '') }),
      );
      child.stdin?.end(input ?? '');
    });
  const run = async (args: string[], input?: string) => {
    const outcome = await exec(args, input);
    if (outcome.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${outcome.stderr.trim()}`);
    return outcome.stdout;
  };
  return Object.assign(run, {
    json: async <T>(args: string[]) => JSON.parse(await run([...args, '-o', 'json'])) as T,
    canI: async (user: string, verb: string, resource: string, namespace?: string) => {
      const outcome = await exec(['auth', 'can-i', verb, resource, '--as', user, ...(namespace ? ['-n', namespace] : ['--all-namespaces'])]);
      if (outcome.stdout.trim() !== 'yes' && outcome.stdout.trim() !== 'no') throw new Error(`kubectl auth can-i ${verb} ${resource} failed: ${outcome.stderr.trim()}`);
      return outcome.stdout.trim() === 'yes';
    },
  });
}

/** A namespace name no other run or helper uses: `prefix-<random>`. */
export const uniqueNamespace = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
