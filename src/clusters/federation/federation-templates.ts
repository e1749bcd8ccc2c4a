import type { ClusterScheduler, ClusterType, KubernetesWorkloadSettings } from '../../domain/cluster.js';
import type { WorkloadSpec } from '../../domain/workload.js';
import { renderSecretEnv } from '../kubernetes/secret-manifest.js';
import type { RuntimeImages } from '../kubernetes/workload-image.js';
import { renderDeployment, renderService, workloadLabels, type Manifest } from '../kubernetes/workload-manifests.js';
import { podScheduling } from '../kubernetes/workload-scheduling.js';

export interface FederationTemplateOptions {
  namespace: string;
  cluster: { name: string; type: ClusterType; scheduler: ClusterScheduler };
  images: RuntimeImages;
  settings: Partial<KubernetesWorkloadSettings>;
  /** The value of a named secret; a missing one leaves the Secret out (pods then report CreateContainerConfigError). */
  resolveSecret?: (name: string) => Promise<string | undefined>;
}

/**
 * The resource templates of a workload on a Karmada API server: the Deployment and Service the
 * Kubernetes driver renders for a member, and the Secret of its `secretEnv`. No replica token: the
 * members' pods are their boundary, and a token generated per apply would not match running pods.
 */
export function federationTemplates(options: FederationTemplateOptions): (spec: WorkloadSpec) => Promise<Manifest[]> {
  const scheduling = podScheduling(options.cluster);
  return async (spec) => {
    const values: Record<string, string> = {};
    for (const name of new Set(Object.values(spec.secretEnv ?? {}))) {
      const value = await options.resolveSecret?.(name);
      if (value !== undefined) values[name] = value;
    }
    const secrets = Object.values(spec.secretEnv ?? {}).every((name) => values[name] !== undefined)
      ? renderSecretEnv({ ...spec, labels: workloadLabels(spec, options.cluster.name) }, values, { namespace: options.namespace })
      : null;
    const context = {
      namespace: options.namespace,
      cluster: { name: options.cluster.name },
      images: options.images,
      settings: options.settings,
      scheduling,
      secretEnv: secrets?.env ?? [],
      tokenSecret: null,
    };
    const secret: Manifest[] = secrets ? [{ ...secrets.secret, metadata: { ...secrets.secret.metadata, namespace: options.namespace } }] : [];
    return [...secret, renderDeployment({ ...spec, apiKeyEnv: null }, context), renderService(spec, context)];
  };
}
