import type { WorkloadSpec } from '../../domain/workload.js';
import { resourcesOf } from '../kubernetes/workload-manifests.js';
import type { FederationPlacement } from './federation-placement.js';

/**
 * Karmada's policy objects for one workload (policy.karmada.io/v1alpha1, as Karmada's API
 * reference documents them): the PropagationPolicy that places the workload's objects on member
 * clusters, and the OverridePolicy that adjusts its Deployment per member. Pure.
 */

export const KARMADA_POLICY_API_VERSION = 'policy.karmada.io/v1alpha1';
/** Annotations H-MAS keeps on its PropagationPolicy: what `list` and `apply` read back. */
export const SPEC_HASH_ANNOTATION = 'hmas.io/spec-hash';
export const DEPLOYMENT_ID_ANNOTATION = 'hmas.io/deployment-id';
export const PLACEMENT_ANNOTATION = 'hmas.io/placement';

/** An object the workload consists of on the Karmada API server (its resource template). */
export interface TemplateRef {
  apiVersion: string;
  kind: string;
  name: string;
}

interface ClusterAffinity {
  clusterNames: string[];
}

export type PropagationPolicyManifest = {
  apiVersion: typeof KARMADA_POLICY_API_VERSION;
  kind: 'PropagationPolicy';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    resourceSelectors: Array<TemplateRef & { namespace: string }>;
    placement: {
      clusterAffinity: ClusterAffinity;
      replicaScheduling:
        | { replicaSchedulingType: 'Duplicated' }
        | {
            replicaSchedulingType: 'Divided';
            replicaDivisionPreference: 'Weighted';
            weightPreference: { staticWeightList: Array<{ targetCluster: ClusterAffinity; weight: number }> } | { dynamicWeight: 'AvailableReplicas' };
          };
    };
  };
};

type Overriders = {
  imageOverrider?: Array<{ component: 'Registry'; operator: 'replace'; value: string }>;
  plaintext?: Array<{ path: string; operator: 'replace'; value: unknown }>;
};

export type OverridePolicyManifest = {
  apiVersion: typeof KARMADA_POLICY_API_VERSION;
  kind: 'OverridePolicy';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    resourceSelectors: Array<TemplateRef & { namespace: string }>;
    overrideRules: Array<{ targetCluster: ClusterAffinity; overriders: Overriders }>;
  };
};

const metadataOf = (spec: WorkloadSpec, namespace: string, annotations: Record<string, string>) => ({
  name: spec.name,
  namespace,
  labels: { ...spec.labels },
  annotations: { 'hmas.io/deployment': spec.name, [DEPLOYMENT_ID_ANNOTATION]: spec.deploymentId, ...annotations },
});

/**
 * The PropagationPolicy of a workload: it selects exactly the objects H-MAS wrote for it
 * (`templates`: the Deployment, its Service and Secrets) by kind and name, limits placement to
 * the members by name, and divides the replicas by static weight (or by what each member can run)
 * or duplicates them on every member.
 */
export function renderPropagationPolicy(spec: WorkloadSpec, templates: readonly TemplateRef[], placement: FederationPlacement, namespace: string): PropagationPolicyManifest {
  const names = placement.members.map((member) => member.name);
  const replicaScheduling: PropagationPolicyManifest['spec']['placement']['replicaScheduling'] =
    placement.replicaScheduling === 'Duplicated'
      ? { replicaSchedulingType: 'Duplicated' }
      : {
          replicaSchedulingType: 'Divided',
          replicaDivisionPreference: 'Weighted',
          weightPreference: placement.dynamicWeight
            ? { dynamicWeight: 'AvailableReplicas' }
            : { staticWeightList: placement.members.map((member) => ({ targetCluster: { clusterNames: [member.name] }, weight: member.weight ?? 1 })) },
        };
  return {
    apiVersion: KARMADA_POLICY_API_VERSION,
    kind: 'PropagationPolicy',
    metadata: metadataOf(spec, namespace, { [SPEC_HASH_ANNOTATION]: spec.specHash, [PLACEMENT_ANNOTATION]: JSON.stringify(placement) }),
    spec: {
      resourceSelectors: templates.map((template) => ({ apiVersion: template.apiVersion, kind: template.kind, namespace, name: template.name })),
      placement: { clusterAffinity: { clusterNames: names }, replicaScheduling },
    },
  };
}

/**
 * The OverridePolicy of a workload: per member, its own resource profile (a plaintext replace
 * of the runtime container's resources — the Deployment's only container — as the Kubernetes
 * driver renders them) and its registry mirror
 * (imageOverrider on the Registry component). Null when no member differs, so no policy is kept.
 */
export function renderOverridePolicy(spec: WorkloadSpec, deployment: TemplateRef, placement: FederationPlacement, namespace: string): OverridePolicyManifest | null {
  const overrideRules: OverridePolicyManifest['spec']['overrideRules'] = [];
  for (const member of placement.members) {
    const overriders: Overriders = {};
    if (member.imageRegistry !== undefined) overriders.imageOverrider = [{ component: 'Registry', operator: 'replace', value: member.imageRegistry }];
    if (member.resources !== undefined) {
      overriders.plaintext = [{ path: '/spec/template/spec/containers/0/resources', operator: 'replace', value: resourcesOf({ resources: member.resources }) }];
    }
    if (Object.keys(overriders).length > 0) overrideRules.push({ targetCluster: { clusterNames: [member.name] }, overriders });
  }
  if (overrideRules.length === 0) return null;
  return {
    apiVersion: KARMADA_POLICY_API_VERSION,
    kind: 'OverridePolicy',
    metadata: metadataOf(spec, namespace, {}),
    spec: {
      resourceSelectors: [{ apiVersion: deployment.apiVersion, kind: deployment.kind, namespace, name: deployment.name }],
      overrideRules,
    },
  };
}
