import type { Cluster, Model, RuntimeId } from '../../api/types';

/** Runtimes that load the model as a file (a .gguf), as the server's deployment service counts them. */
const FILE_RUNTIMES: ReadonlySet<RuntimeId> = new Set(['embedded-llamacpp', 'llamacpp']);

const KIND_WORDS: Record<Cluster['connection']['kind'], string> = {
  local: 'this host',
  kubeconfig: 'Kubernetes',
  federation: 'Karmada',
  agent: 'agent',
};

/** A cluster as the deploy drawer offers it: "gpu-east — Kubernetes", "(not ready)" when it is not. */
export function clusterChoiceLabel(cluster: Cluster): string {
  const kind = cluster.connection.kind === 'federation' && cluster.connection.memberCluster ? `Karmada → ${cluster.connection.memberCluster}` : KIND_WORDS[cluster.connection.kind];
  const readiness = cluster.readiness.state === 'ready' ? '' : ` (${cluster.readiness.state === 'notReady' ? 'not ready' : 'unknown'})`;
  return `${cluster.name} — ${kind}${readiness}`;
}

/**
 * What to know before deploying a model that is loaded as a file to a cluster whose replicas run
 * in pods: the file is not copied there, the path must exist inside the pod. Undefined where it
 * does not apply (the local host, a runtime that pulls the model itself).
 */
export function podModelFileNote(cluster: Cluster | null, model: Model | undefined, runtime: RuntimeId | undefined): string | undefined {
  if (!cluster || !model || !runtime) return undefined;
  if (cluster.connection.kind !== 'kubeconfig' && cluster.connection.kind !== 'federation') return undefined;
  if (model.localPath) {
    return `${model.name} is the file ${model.localPath} on the H-MAS host. On ${cluster.name} the replicas run in pods: that path must exist inside the pod, on the cluster’s model volume.`;
  }
  if (FILE_RUNTIMES.has(runtime) && model.format === 'gguf') {
    return `This runtime loads ${model.name} as a .gguf file. On ${cluster.name} the replicas run in pods: the file must exist inside the pod, on the cluster’s model volume.`;
  }
  return undefined;
}
