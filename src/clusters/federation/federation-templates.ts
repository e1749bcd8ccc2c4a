import type { ClusterScheduler, ClusterType, KubernetesWorkloadSettings } from '../../domain/cluster.js';
import type { WorkloadSpec } from '../../domain/workload.js';
import { resolveSecretEnv } from '../kubernetes/secret-manifest.js';
import type { RuntimeImages } from '../kubernetes/workload-image.js';
import { renderDeployment, renderService, renderTokenSecret, tokenSecretName, workloadLabels, type Manifest } from '../kubernetes/workload-manifests.js';
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
 * Renders a workload's resource templates on a Karmada API server for a replica token (null:
 * the runtime takes none). The federation driver keeps the token: the one already on the Karmada
 * API server, else a new one.
 */
export type FederationTemplates = (spec: WorkloadSpec, token: string | null) => Promise<Manifest[]>;

/**
 * The resource templates of a workload on a Karmada API server: the Deployment and Service the
 * Kubernetes driver renders for a member, the Secret of its `secretEnv`, and — when the runtime
 * takes one — the Secret with its replica token (`<name>-token`, as on a member cluster): Karmada
 * propagates it with the rest, the members' pods require it, and only the gateway is given it.
 */
export function federationTemplates(options: FederationTemplateOptions): FederationTemplates {
  const scheduling = podScheduling(options.cluster);
  return async (spec, token) => {
    const labelled = { ...spec, labels: workloadLabels(spec, options.cluster.name) };
    const secrets = await resolveSecretEnv(labelled, options.resolveSecret, { namespace: options.namespace });
    const withToken = spec.apiKeyEnv !== null && token !== null;
    const context = {
      namespace: options.namespace,
      cluster: { name: options.cluster.name },
      images: options.images,
      settings: options.settings,
      scheduling,
      secretEnv: secrets.env,
      tokenSecret: withToken ? tokenSecretName(spec.name) : null,
    };
    const secretTemplates: Manifest[] = [];
    if (secrets.secret) secretTemplates.push({ ...secrets.secret, metadata: { ...secrets.secret.metadata, namespace: options.namespace } });
    if (withToken) secretTemplates.push(renderTokenSecret(spec, context, token));
    return [...secretTemplates, renderDeployment(withToken ? spec : { ...spec, apiKeyEnv: null }, context), renderService(spec, context)];
  };
}
