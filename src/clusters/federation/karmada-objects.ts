import type { KubeObject, ObjectRef } from '../kubernetes/kube-object-client.js';
import { federationPlacementSchema, type FederationPlacement } from './federation-placement.js';
import type { BindingFacts, TemplateFacts } from './federation-status.js';
import { DEPLOYMENT_ID_ANNOTATION, KARMADA_POLICY_API_VERSION, PLACEMENT_ANNOTATION, SPEC_HASH_ANNOTATION, type TemplateRef } from './karmada-policies.js';

/** Where a workload's objects are on the Karmada API server, and what H-MAS reads back from them. Pure. */

export const RESOURCE_BINDING_API_VERSION = 'work.karmada.io/v1alpha2';

export const deploymentRef = (name: string, namespace: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace });
export const propagationPolicyRef = (name: string, namespace: string): ObjectRef => ({ apiVersion: KARMADA_POLICY_API_VERSION, kind: 'PropagationPolicy', name, namespace });
export const overridePolicyRef = (name: string, namespace: string): ObjectRef => ({ apiVersion: KARMADA_POLICY_API_VERSION, kind: 'OverridePolicy', name, namespace });
/** Karmada names the binding of a template "<name>-<kind, lower case>". */
export const resourceBindingRef = (name: string, namespace: string): ObjectRef => ({ apiVersion: RESOURCE_BINDING_API_VERSION, kind: 'ResourceBinding', name: `${name}-deployment`, namespace });

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const arrayOf = (value: unknown): Array<Record<string, unknown>> => (Array.isArray(value) ? value.filter(isObject) : []);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const int = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) ? value : undefined);

/** What H-MAS keeps on its PropagationPolicy: the spec hash, deployment id, placement and the templates it selects. */
export interface PolicyFacts {
  specHash: string;
  deploymentId: string;
  placement: FederationPlacement | undefined;
  templates: TemplateRef[];
}

export function policyFacts(policy: KubeObject): PolicyFacts {
  const annotations = policy.metadata.annotations ?? {};
  let placement: FederationPlacement | undefined;
  try {
    const parsed = federationPlacementSchema.safeParse(JSON.parse(annotations[PLACEMENT_ANNOTATION] ?? 'null'));
    placement = parsed.success ? parsed.data : undefined;
  } catch {
    placement = undefined;
  }
  const spec = isObject(policy.spec) ? policy.spec : {};
  const templates = arrayOf(spec.resourceSelectors).flatMap((selector) => {
    const apiVersion = str(selector.apiVersion);
    const kind = str(selector.kind);
    const name = str(selector.name);
    return apiVersion && kind && name ? [{ apiVersion, kind, name }] : [];
  });
  return { specHash: annotations[SPEC_HASH_ANNOTATION] ?? '', deploymentId: annotations[DEPLOYMENT_ID_ANNOTATION] ?? '', placement, templates };
}

export function templateFacts(deployment: KubeObject): TemplateFacts {
  const spec = isObject(deployment.spec) ? deployment.spec : {};
  const status = isObject(deployment.status) ? deployment.status : undefined;
  return {
    generation: int(deployment.metadata.generation) ?? 0,
    replicas: int(spec.replicas) ?? 1,
    status: status && {
      observedGeneration: int(status.observedGeneration),
      replicas: int(status.replicas),
      readyReplicas: int(status.readyReplicas),
      updatedReplicas: int(status.updatedReplicas),
      availableReplicas: int(status.availableReplicas),
    },
  };
}

export function bindingFacts(binding: KubeObject): BindingFacts {
  const spec = isObject(binding.spec) ? binding.spec : {};
  const status = isObject(binding.status) ? binding.status : {};
  return {
    clusters: arrayOf(spec.clusters).flatMap((cluster) => {
      const name = str(cluster.name);
      return name ? [{ name, ...(int(cluster.replicas) !== undefined ? { replicas: int(cluster.replicas) } : {}) }] : [];
    }),
    conditions: arrayOf(status.conditions).flatMap((condition) => {
      const type = str(condition.type);
      const value = str(condition.status);
      return type && value ? [{ type, status: value, reason: str(condition.reason), message: str(condition.message) }] : [];
    }),
    aggregatedStatus: arrayOf(status.aggregatedStatus).flatMap((item) => {
      const clusterName = str(item.clusterName);
      if (!clusterName) return [];
      return [{ clusterName, applied: typeof item.applied === 'boolean' ? item.applied : undefined, appliedMessage: str(item.appliedMessage), health: str(item.health) }];
    }),
  };
}
