/**
 * Which H-MAS deployment a pod that uses a GPU belongs to, from the names dcgm-exporter puts on
 * its series. H-MAS renders one Kubernetes Deployment per deployment, named like it; the
 * ReplicaSet is `<name>-<pod-template-hash>` and each pod `<replica set>-<5 random characters>`.
 * Kubernetes cuts a generated name's base to 58 characters before adding the random part, so
 * the pods of a deployment with a long name start with a cut `<name>-<hash>-` instead.
 */

/** A pod as dcgm-exporter labels a GPU's series (`pod`, `namespace`). */
export interface PodRef {
  name: string;
  namespace: string | null;
}

/** Kubernetes' limit on a generated name's base (63 characters less the 5 random ones). */
const GENERATED_BASE_LENGTH = 58;
const GENERATED_NAME_LENGTH = 63;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A resolver of pods to the deployments of one cluster. `namespace` is the namespace H-MAS
 * deploys into on that cluster: a pod of another namespace is never one of H-MAS's, whatever
 * its name. Answers null for pods of no deployment (and for a cut name two deployments share).
 */
export function podDeploymentResolver(deployments: readonly string[], namespace: string | null): (pod: PodRef) => string | null {
  const exact = deployments.map((name) => ({ name, pattern: new RegExp(`^${escapeRegExp(name)}-[a-z0-9]{1,10}-[a-z0-9]{5}$`) }));
  return (pod) => {
    if (pod.name === '') return null;
    if (namespace !== null && pod.namespace !== null && pod.namespace !== namespace) return null;
    const match = exact.find(({ pattern }) => pattern.test(pod.name));
    if (match) return match.name;
    if (pod.name.length !== GENERATED_NAME_LENGTH) return null;
    // A cut base: `<name>-<hash>-` cut at 58 characters, or `<name>` itself cut.
    const base = pod.name.slice(0, GENERATED_BASE_LENGTH);
    const cutNames = deployments.filter((name) => name.length + 1 > base.length && `${name}-`.startsWith(base));
    if (cutNames.length > 0) return cutNames.length === 1 ? (cutNames[0] ?? null) : null;
    const whole = deployments.filter((name) => base.startsWith(`${name}-`)).sort((a, b) => b.length - a.length);
    return whole[0] ?? null;
  };
}
