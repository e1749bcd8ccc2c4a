// Plays the part of Karmada's controllers in tests, where they cannot be built: it does, step by
// step when a test asks, what Karmada documents — the scheduler binds a template to the members
// of its PropagationPolicy (a ResourceBinding "<name>-deployment" with spec.clusters and a
// Scheduled condition), the execution controller writes the template to each member with the
// OverridePolicy's overriders applied, and the status controller writes each member's state back
// (ResourceBinding status.aggregatedStatus, and the template Deployment's status summed over
// members). One member only: the real node, in the same namespace as on the Karmada API server.
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import type { KubeWorkloadClient } from '../../src/clusters/kubernetes/kube-workload-client.js';
import type { Manifest } from '../../src/clusters/kubernetes/workload-manifests.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export interface KarmadaStandInOptions {
  /** The Karmada API server. */
  karmada: KubeConfig;
  /** The member cluster's API server, and a client writing objects there. */
  member: KubeConfig;
  memberObjects: Pick<KubeWorkloadClient, 'ensureNamespace' | 'applyObject' | 'deleteObject'>;
  memberName: string;
  namespace: string;
}

/** Sets the value at a JSON pointer (the plaintext overrider's `replace`). */
function replaceAt(target: Json, pointer: string, value: unknown): void {
  const parts = pointer.split('/').slice(1);
  let node: unknown = target;
  for (const part of parts.slice(0, -1)) node = Array.isArray(node) ? node[Number(part)] : (node as Json)[part];
  const last = parts.at(-1) as string;
  if (Array.isArray(node)) node[Number(last)] = value;
  else (node as Json)[last] = value;
}

/** The imageOverrider's Registry replace: the registry host of each container's image. */
function replaceRegistry(deployment: Json, registry: string): void {
  const containers = ((deployment.spec as Json).template as { spec: { containers: Array<{ image: string }> } }).spec.containers;
  for (const container of containers) {
    const [first, ...rest] = container.image.split('/');
    const hasHost = rest.length > 0 && (first?.includes('.') || first?.includes(':'));
    container.image = `${registry}/${hasHost ? rest.join('/') : container.image}`;
  }
}

export function createKarmadaStandIn(options: KarmadaStandInOptions) {
  const { namespace, memberName } = options;
  const karmadaCustom = options.karmada.makeApiClient(CustomObjectsApi);
  const karmadaApps = options.karmada.makeApiClient(AppsV1Api);
  const karmadaCore = options.karmada.makeApiClient(CoreV1Api);
  const memberApps = options.member.makeApiClient(AppsV1Api);
  const policy = (plural: string, name: string) =>
    karmadaCustom.getNamespacedCustomObject({ group: 'policy.karmada.io', version: 'v1alpha1', namespace, plural, name }).then(
      (found: unknown) => found as Json,
      () => undefined,
    );
  const bindingName = (name: string) => `${name}-deployment`;

  async function template(kind: string, name: string): Promise<Json> {
    if (kind === 'Deployment') return (await karmadaApps.readNamespacedDeployment({ name, namespace })) as unknown as Json;
    if (kind === 'Service') return (await karmadaCore.readNamespacedService({ name, namespace })) as unknown as Json;
    return (await karmadaCore.readNamespacedSecret({ name, namespace })) as unknown as Json;
  }

  /** What Karmada's execution controller writes to the member: the template, overridden, without what the Karmada API server assigned. */
  function forMember(kind: string, object: Json, replicas: number, overrideRules: Json[]): Manifest {
    const metadata = object.metadata as Json;
    const copy: Json = {
      apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1',
      kind,
      metadata: {
        name: metadata.name,
        namespace,
        labels: { ...(metadata.labels as Json), 'propagationpolicy.karmada.io/name': metadata.name as string },
        annotations: { ...(metadata.annotations as Json), 'resourcetemplate.karmada.io/generation': String(metadata.generation ?? 1) },
      },
    };
    if (kind === 'Secret') Object.assign(copy, { type: object.type, data: object.data });
    if (kind === 'Service') {
      const spec = structuredClone(object.spec) as Json & { ports?: Json[] };
      delete spec.clusterIP;
      delete spec.clusterIPs;
      for (const port of spec.ports ?? []) delete port.nodePort;
      copy.spec = spec;
    }
    if (kind === 'Deployment') {
      copy.spec = { ...structuredClone(object.spec as Json), replicas };
      for (const rule of overrideRules) {
        const targets = ((rule.targetCluster as Json | undefined)?.clusterNames as string[] | undefined) ?? [memberName];
        if (!targets.includes(memberName)) continue;
        const overriders = rule.overriders as { plaintext?: Array<{ path: string; value: unknown }>; imageOverrider?: Array<{ component: string; value: string }> };
        for (const op of overriders.plaintext ?? []) replaceAt(copy, op.path, structuredClone(op.value));
        for (const op of overriders.imageOverrider ?? []) if (op.component === 'Registry') replaceRegistry(copy, op.value);
      }
    }
    return copy as Manifest;
  }

  return {
    /** Karmada's scheduler and execution controller: bind the template to the member and write it there. */
    async propagate(name: string): Promise<void> {
      const propagation = await policy('propagationpolicies', name);
      if (!propagation) throw new Error(`no PropagationPolicy ${name} to propagate`);
      const spec = propagation.spec as { resourceSelectors: Array<{ kind: string; name: string }>; placement: { clusterAffinity: { clusterNames: string[] } } };
      if (!spec.placement.clusterAffinity.clusterNames.includes(memberName)) throw new Error(`PropagationPolicy ${name} does not place on ${memberName}`);
      const override = await policy('overridepolicies', name);
      const rules = ((override?.spec as Json | undefined)?.overrideRules as Json[] | undefined) ?? [];
      const deployment = await template('Deployment', name);
      // One member: it gets every replica whether they are divided or duplicated.
      const replicas = ((deployment.spec as Json).replicas as number | undefined) ?? 1;
      // Karmada's namespace sync controller: the namespace exists on every member.
      await options.memberObjects.ensureNamespace(namespace);
      for (const selector of spec.resourceSelectors) {
        await options.memberObjects.applyObject(forMember(selector.kind, await template(selector.kind, selector.name), replicas, rules));
      }
      const binding = {
        apiVersion: 'work.karmada.io/v1alpha2',
        kind: 'ResourceBinding',
        metadata: { name: bindingName(name), namespace },
        spec: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', name, namespace }, replicas, clusters: [{ name: memberName, replicas }] },
      };
      const where = { group: 'work.karmada.io', version: 'v1alpha2', namespace, plural: 'resourcebindings' };
      let current: Json;
      try {
        current = (await karmadaCustom.getNamespacedCustomObject({ ...where, name: binding.metadata.name })) as Json;
        current = (await karmadaCustom.replaceNamespacedCustomObject({ ...where, name: binding.metadata.name, body: { ...binding, metadata: { ...binding.metadata, resourceVersion: (current.metadata as Json).resourceVersion } } })) as Json;
      } catch {
        current = (await karmadaCustom.createNamespacedCustomObject({ ...where, body: binding })) as Json;
      }
      const conditions = [
        { type: 'Scheduled', status: 'True', reason: 'Success', message: 'Binding has been scheduled successfully.', lastTransitionTime: new Date().toISOString() },
        { type: 'FullyApplied', status: 'True', reason: 'FullyAppliedSuccess', message: 'All works have been successfully applied', lastTransitionTime: new Date().toISOString() },
      ];
      await karmadaCustom.replaceNamespacedCustomObjectStatus({ ...where, name: binding.metadata.name, body: { ...current, status: { ...(isObject(current.status) ? current.status : {}), conditions } } });
    },

    /** Karmada's status controller: the member's Deployment status into the binding and the template. */
    async aggregate(name: string): Promise<V1Deployment['status']> {
      const member = await memberApps.readNamespacedDeployment({ name, namespace });
      const status = member.status ?? {};
      const counts = { replicas: status.replicas ?? 0, readyReplicas: status.readyReplicas ?? 0, updatedReplicas: status.updatedReplicas ?? 0, availableReplicas: status.availableReplicas ?? 0 };
      const where = { group: 'work.karmada.io', version: 'v1alpha2', namespace, plural: 'resourcebindings', name: bindingName(name) };
      const binding = (await karmadaCustom.getNamespacedCustomObject(where)) as Json;
      const healthy = counts.readyReplicas === (member.spec?.replicas ?? 0);
      await karmadaCustom.replaceNamespacedCustomObjectStatus({
        ...where,
        body: { ...binding, status: { ...(binding.status as Json), aggregatedStatus: [{ clusterName: memberName, status: counts, applied: true, health: healthy ? 'Healthy' : 'Unhealthy' }] } },
      });
      const templateDeployment = await karmadaApps.readNamespacedDeployment({ name, namespace });
      await karmadaApps.replaceNamespacedDeploymentStatus({
        name,
        namespace,
        body: { ...templateDeployment, status: { ...counts, observedGeneration: templateDeployment.metadata?.generation ?? 1 } },
      });
      return status;
    },

    /**
     * The garbage collector of Karmada's kube-controller-manager: templates deleted in the
     * foreground have no dependents on the Karmada API server, so their finalizer goes at once.
     */
    async collectGarbage(): Promise<number> {
      const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
      const release = { metadata: { finalizers: null } };
      let released = 0;
      for (const deployment of (await karmadaApps.listNamespacedDeployment({ namespace })).items) {
        if (!deployment.metadata?.deletionTimestamp) continue;
        await karmadaApps.patchNamespacedDeployment({ name: deployment.metadata.name as string, namespace, body: release }, merge);
        released += 1;
      }
      for (const service of (await karmadaCore.listNamespacedService({ namespace })).items) {
        if (!service.metadata?.deletionTimestamp) continue;
        await karmadaCore.patchNamespacedService({ name: service.metadata.name as string, namespace, body: release }, merge);
        released += 1;
      }
      for (const secret of (await karmadaCore.listNamespacedSecret({ namespace })).items) {
        if (!secret.metadata?.deletionTimestamp) continue;
        await karmadaCore.patchNamespacedSecret({ name: secret.metadata.name as string, namespace, body: release }, merge);
        released += 1;
      }
      return released;
    },

    /** Karmada's cluster status controller: the member as a Ready `Cluster` object. */
    async registerMember(): Promise<void> {
      const cluster = (await karmadaCustom.createClusterCustomObject({
        group: 'cluster.karmada.io',
        version: 'v1alpha1',
        plural: 'clusters',
        body: { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: memberName }, spec: { syncMode: 'Push', apiEndpoint: 'https://127.0.0.1:6443' } },
      })) as Json;
      const ready = { type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'cluster is healthy and ready to accept workloads', lastTransitionTime: new Date().toISOString() };
      await karmadaCustom.replaceClusterCustomObjectStatus({
        group: 'cluster.karmada.io',
        version: 'v1alpha1',
        plural: 'clusters',
        name: memberName,
        body: { ...cluster, status: { kubernetesVersion: 'v1.20.2', conditions: [ready], nodeSummary: { totalNum: 1, readyNum: 1 }, resourceSummary: { allocatable: { cpu: '2', memory: '8Gi' } } } },
      });
    },

    /** Karmada's garbage collection of Works: the member's copies of templates that are gone. */
    async withdraw(name: string, kinds: Array<{ kind: 'deployments' | 'services' | 'secrets'; name: string }>): Promise<void> {
      for (const object of kinds) await options.memberObjects.deleteObject(object.kind, namespace, object.name);
      await karmadaCustom.deleteNamespacedCustomObject({ group: 'work.karmada.io', version: 'v1alpha2', namespace, plural: 'resourcebindings', name: bindingName(name) }).catch(() => undefined);
    },
  };
}

export function kubeConfigOf(yaml: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(yaml);
  return config;
}
