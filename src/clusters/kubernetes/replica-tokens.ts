import { TOKEN_KEY, tokenSecretName } from './workload-manifests.js';

/**
 * The replica tokens of a namespace's workloads, as their token Secrets hold them, remembered so
 * the gateway's once-a-second `upstreams` reads nothing over the network: the Kubernetes driver
 * reads its cluster's Secrets, the federation driver the Karmada API server's.
 */
export function createReplicaTokens(readSecret: (namespace: string, name: string) => Promise<Record<string, string> | undefined | null>, namespace: string) {
  const known = new Map<string, string | null>();
  return {
    /** The workload's token: remembered, or read from its Secret (null: none there). */
    async of(workload: string): Promise<string | null> {
      const remembered = known.get(workload);
      if (remembered !== undefined) return remembered;
      const stored = (await readSecret(namespace, tokenSecretName(workload)))?.[TOKEN_KEY] || null;
      known.set(workload, stored);
      return stored;
    },
    remember(workload: string, token: string): void {
      known.set(workload, token);
    },
    forget(workload: string): void {
      known.delete(workload);
    },
    clear(): void {
      known.clear();
    },
  };
}
