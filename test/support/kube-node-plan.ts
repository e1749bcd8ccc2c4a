// What the vitest global setup does about the Kubernetes node, decided from facts it gathered
// (pure, so every branch is tested without a node): use the one given or running, start a built
// one, or say why there is none — that reason reaches every skipped suite.

export interface KubeNodeFacts {
  /** HMAS_TEST_KUBECONFIG is set: a node somebody else provides. */
  external: boolean;
  /** The kube-apiserver under $K8SNODE_HOME/run is running (a developer's or another run's node). */
  running: boolean;
  /** The six binaries are in $K8SNODE_HOME/build/bin; the missing ones otherwise. */
  missingBinaries: string[];
  /** Starting the node needs root (mounts, iptables, cgroups). */
  root: boolean;
  /** HMAS_TEST_KUBE_NODE=never: use a running node, never start one. */
  neverStart: boolean;
  home: string;
}

export type KubeNodePlan =
  | { action: 'use-external' }
  | { action: 'reuse' }
  | { action: 'start' }
  | { action: 'none'; reason: string };

export const NODE_BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'kubectl'] as const;

export function planKubeNode(facts: KubeNodeFacts): KubeNodePlan {
  if (facts.external) return { action: 'use-external' };
  if (facts.running) return { action: 'reuse' };
  if (facts.missingBinaries.length > 0) {
    return {
      action: 'none',
      reason: `no Kubernetes node: it is not built under ${facts.home} (missing ${facts.missingBinaries.join(', ')}; .ci/run builds it, or bash scripts/k8snode/build-all.sh && bash scripts/k8snode/make-image.sh ${facts.home}/images)`,
    };
  }
  if (facts.neverStart) return { action: 'none', reason: `no Kubernetes node: the node under ${facts.home} is built but not running, and HMAS_TEST_KUBE_NODE=never forbids starting it` };
  if (!facts.root) return { action: 'none', reason: `no Kubernetes node: the node under ${facts.home} is built but not running, and starting it needs root` };
  return { action: 'start' };
}
