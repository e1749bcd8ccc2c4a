import { workloadSpecHash, workloadSpecSchema, type WorkloadSpec, type WorkloadStatus } from '../../domain/workload.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { ClusterConnector } from '../cluster-connector.js';
import type { ApplyResult, ClusterDriver, ReadOptions, WorkloadSummary } from '../cluster-driver.js';
import type { KubeObjectClient } from '../kubernetes/kube-object-client.js';
import type { KubeWorkloadClient } from '../kubernetes/kube-workload-client.js';
import { createReplicaTokens } from '../kubernetes/replica-tokens.js';
import { newReplicaToken, workloadSecretName } from '../kubernetes/secret-manifest.js';
import { MANAGED_SELECTOR, tokenSecretName } from '../kubernetes/workload-manifests.js';
import { createEventLog, type EventLog } from '../local/event-log.js';
import { federationPlacementSchema, memberReplicas, singleMemberPlacement, type FederationPlacement } from './federation-placement.js';
import { createMemberReads, type MemberDrivers, type Upstream } from './member-reads.js';
import { federatedStatus } from './federation-status.js';
import type { FederationTemplates } from './federation-templates.js';
import { bindingFacts, deploymentRef, overridePolicyRef, policyFacts, propagationPolicyRef, resourceBindingRef, templateFacts, type PolicyFacts } from './karmada-objects.js';
import { renderOverridePolicy, renderPropagationPolicy, type TemplateRef } from './karmada-policies.js';

export interface FederationDriverDeps {
  /** The federation connector of this cluster (connection test, inventory through Karmada). */
  connector: ClusterConnector;
  /** Karmada's policies and bindings, and the templates' aggregated status, on the Karmada API server. */
  client: KubeObjectClient;
  /** The resource templates on the Karmada API server: written like a member's objects, by the Kubernetes driver's client. */
  templateClient: Pick<KubeWorkloadClient, 'ensureNamespace' | 'applyObject' | 'deleteObject' | 'readSecret'>;
  /** The namespace on the Karmada API server (and, propagated by Karmada, on the members). */
  namespace: string;
  /** The member the cluster's connection names: where workloads go without a placement. */
  memberCluster: string;
  /**
   * The resource templates of a workload in `namespace` for its replica token: its Deployment
   * (named like the workload), Service and Secrets (the token's too), as the Kubernetes driver
   * renders them for a member (federation-templates.ts).
   */
  templates: FederationTemplates;
  /** Where a workload goes (from its deployment's placement strategy); default: every replica on `memberCluster`. */
  placement?(spec: WorkloadSpec): FederationPlacement | Promise<FederationPlacement>;
  /** The driver of a member cluster that is also registered in H-MAS, or null (then only Karmada is written). */
  memberDriver: MemberDrivers;
  now?: () => Date;
  logger?: Logger;
}

const TEMPLATE_KINDS: Record<string, 'deployments' | 'services' | 'secrets'> = { Deployment: 'deployments', Service: 'services', Secret: 'secrets' };

/**
 * A ClusterDriver for a Karmada federation: each workload is a resource template (Deployment,
 * Service, Secrets) on the Karmada API server plus a PropagationPolicy placing it on member
 * clusters and an OverridePolicy adjusting it per member; Karmada's controllers do the rest.
 *
 * Dual update: a replica change (scale, pause = scale 0, resume, apply with a new count) is
 * written to the template and, for each member also registered in H-MAS, to the member directly
 * through its own driver, so it is not held up by propagation; Karmada then brings the member to
 * its own result. A changed pod template goes through Karmada only: Karmada's execution
 * controller owns the member's object (it refuses to adopt one it did not create, and writes its
 * own rendering with the overrides), so writing it twice would roll the pods twice.
 *
 * Status: Karmada's aggregated status of the template and its ResourceBinding; while Karmada
 * has not caught up, the members registered in H-MAS are asked directly. Replicas, logs, events
 * and endpoints of registered members come from their drivers (replica ids `<member>/<id>`).
 */
export interface FederationDriver extends ClusterDriver {
  /** Where the gateway sends a workload's traffic: the registered members' upstreams, with their replica tokens. */
  upstreams(name: string): Promise<Upstream[]>;
}

export function createFederationDriver(deps: FederationDriverDeps): FederationDriver {
  const { client, templateClient, namespace } = deps;
  const now = deps.now ?? (() => new Date());
  const driverEvents = new Map<string, EventLog>();
  const eventsOf = (name: string) => {
    let log = driverEvents.get(name);
    if (!log) driverEvents.set(name, (log = createEventLog({ now, max: 50 })));
    return log;
  };
  const record = (name: string, type: 'Normal' | 'Warning', reason: string, message: string) => eventsOf(name).record(type, reason, message, { kind: 'Workload', name });

  async function policyOf(name: string, signal?: AbortSignal): Promise<PolicyFacts | undefined> {
    const policy = await client.get(propagationPolicyRef(name, namespace), signal);
    return policy ? policyFacts(policy) : undefined;
  }
  const placementOf = (facts: PolicyFacts | undefined) => facts?.placement ?? singleMemberPlacement(deps.memberCluster);

  /** Registered members' drivers, by member name. */
  async function registeredMembers(placement: FederationPlacement): Promise<Map<string, ClusterDriver>> {
    const found = new Map<string, ClusterDriver>();
    for (const member of placement.members) {
      const driver = await deps.memberDriver(member.name);
      if (driver) found.set(member.name, driver);
    }
    return found;
  }

  /** The direct half of a dual update: each registered member gets its share now. */
  async function scaleMembers(name: string, placement: FederationPlacement, total: number): Promise<void> {
    const shares = memberReplicas(placement, total);
    for (const [member, driver] of await registeredMembers(placement)) {
      const share = shares.get(member) ?? 0;
      try {
        await driver.scale(name, share);
        record(name, 'Normal', 'MemberScaled', `Scaled ${name} on member ${member} to ${share} replica(s) directly (Karmada propagates the same change)`);
      } catch (error) {
        // Not there yet (Karmada has not propagated it): Karmada creates it with the new count.
        if (error instanceof NotFoundError) continue;
        const reason = error instanceof Error ? error.message : String(error);
        deps.logger?.warn({ err: error, member, workload: name }, 'direct update of a Karmada member failed');
        record(name, 'Warning', 'MemberUpdateFailed', `Could not scale ${name} on member ${member} directly (Karmada still propagates the change): ${reason}`);
      }
    }
  }

  async function removeTemplates(templates: readonly TemplateRef[]): Promise<boolean> {
    let removed = false;
    for (const template of templates) {
      const kind = TEMPLATE_KINDS[template.kind];
      if (kind) removed = (await templateClient.deleteObject(kind, namespace, template.name)) || removed;
    }
    return removed;
  }

  /**
   * The replica token of a workload (null when its runtime takes none): the one in its token
   * Secret on the Karmada API server — kept across applies, so running pods keep matching — or a
   * new one. Remembered for `upstreams`, which the gateway asks each second.
   */
  const tokens = createReplicaTokens((ns, name) => templateClient.readSecret(ns, name), namespace);
  async function replicaToken(spec: WorkloadSpec): Promise<string | null> {
    if (spec.apiKeyEnv === null) return null;
    const token = (await tokens.of(spec.name)) ?? newReplicaToken();
    tokens.remember(spec.name, token);
    return token;
  }

  /** The namespace's PropagationPolicies of H-MAS (one list): every federated workload. */
  async function policies(signal?: AbortSignal): Promise<Array<{ name: string; facts: PolicyFacts }>> {
    const listed = await client.list({ apiVersion: propagationPolicyRef('', namespace).apiVersion, kind: 'PropagationPolicy', namespace }, MANAGED_SELECTOR, signal);
    return listed.map((policy) => ({ name: policy.metadata.name, facts: policyFacts(policy) }));
  }

  const reads = createMemberReads({
    namespace,
    client,
    memberDrivers: registeredMembers,
    policyOf,
    placementOf,
    driverEvents: (name) => driverEvents.get(name),
    workloads: async (signal) => (await policies(signal)).map(({ name, facts }) => ({ name, placement: placementOf(facts) })),
  });

  return {
    kind: 'federation',
    test: (signal) => deps.connector.test(signal),
    inventory: (signal) => deps.connector.inventory(signal),

    async apply(input: WorkloadSpec): Promise<ApplyResult> {
      const parsed = workloadSpecSchema.safeParse(input);
      if (!parsed.success) throw new ValidationError(`Invalid workload spec: ${parsed.error.issues[0]?.message ?? 'unknown shape'}.`, { issues: parsed.error.issues });
      const spec = parsed.data;
      if (workloadSpecHash(spec) !== spec.specHash) throw new ValidationError('The workload spec does not match its specHash: render specs with renderWorkloadSpec and do not change them after.');
      const placementInput = await (deps.placement?.(spec) ?? singleMemberPlacement(deps.memberCluster));
      const placementParsed = federationPlacementSchema.safeParse(placementInput);
      if (!placementParsed.success) throw new ValidationError(`Invalid federation placement: ${placementParsed.error.issues[0]?.message ?? 'unknown shape'}.`, { issues: placementParsed.error.issues });
      const placement = placementParsed.data;

      await templateClient.ensureNamespace(namespace);
      const templates = await deps.templates(spec, await replicaToken(spec));
      const deployment = templates.find((object) => object.kind === 'Deployment' && object.metadata.name === spec.name);
      if (!deployment) throw new Error(`The rendered templates of ${spec.name} have no Deployment named ${spec.name}.`);
      const refs: TemplateRef[] = templates.map((object) => ({ apiVersion: String(object.apiVersion), kind: String(object.kind), name: object.metadata.name }));

      const previous = await policyOf(spec.name);
      const previousTemplate = await client.get(deploymentRef(spec.name, namespace));
      for (const object of templates) await templateClient.applyObject({ ...object, metadata: { ...object.metadata, namespace } });
      await client.apply(renderPropagationPolicy(spec, refs, placement, namespace), { replace: true });
      const override = renderOverridePolicy(spec, { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name }, placement, namespace);
      if (override) await client.apply(override, { replace: true });
      else await client.remove(overridePolicyRef(spec.name, namespace));
      // Objects the workload no longer has (a Secret it stopped using) leave with the policy's old selectors.
      const kept = new Set(refs.map((ref) => `${ref.kind}/${ref.name}`));
      await removeTemplates((previous?.templates ?? []).filter((ref) => !kept.has(`${ref.kind}/${ref.name}`)));

      const previousReplicas = previousTemplate ? templateFacts(previousTemplate).replicas : undefined;
      let action: ApplyResult['action'];
      if (!previous) action = 'created';
      else if (previous.specHash !== spec.specHash) action = 'updated';
      else if (previousReplicas !== spec.replicas) action = 'scaled';
      else action = 'unchanged';
      record(spec.name, 'Normal', action === 'created' ? 'Created' : action === 'updated' ? 'Updated' : action === 'scaled' ? 'Scaled' : 'Applied', `${action === 'unchanged' ? 'Re-applied' : action[0]?.toUpperCase() + action.slice(1)} ${spec.name} on the Karmada API server for ${placement.members.map((member) => member.name).join(', ')} (${placement.replicaScheduling}, ${spec.replicas} replica(s))`);
      if (previous && previousReplicas !== spec.replicas) await scaleMembers(spec.name, placement, spec.replicas);
      return { action, specHash: spec.specHash };
    },

    async scale(name, replicas) {
      if (!Number.isInteger(replicas) || replicas < 0 || replicas > 1024) throw new ValidationError('replicas must be a whole number from 0 to 1024.');
      const facts = await policyOf(name);
      if (!facts) throw new NotFoundError('workload', name);
      const patched = await client.patch(deploymentRef(name, namespace), { spec: { replicas } });
      if (!patched) throw new NotFoundError('workload', name);
      record(name, 'Normal', 'Scaled', `Scaled ${name} to ${replicas} replica(s) on the Karmada API server`);
      await scaleMembers(name, placementOf(facts), replicas);
    },

    async remove(name) {
      const facts = await policyOf(name);
      const templates = facts?.templates ?? [
        { apiVersion: 'apps/v1', kind: 'Deployment', name },
        { apiVersion: 'v1', kind: 'Service', name },
        { apiVersion: 'v1', kind: 'Secret', name: workloadSecretName({ name }) },
        { apiVersion: 'v1', kind: 'Secret', name: tokenSecretName(name) },
      ];
      let removed = await removeTemplates(templates);
      removed = (await client.remove(overridePolicyRef(name, namespace))) || removed;
      removed = (await client.remove(propagationPolicyRef(name, namespace))) || removed;
      driverEvents.delete(name);
      tokens.forget(name);
      return { removed };
    },

    async status(name, options?: ReadOptions): Promise<WorkloadStatus | null> {
      const template = await client.get(deploymentRef(name, namespace), options?.signal);
      const facts = await policyOf(name, options?.signal);
      if (!template || !facts) return null;
      const binding = await client.get(resourceBindingRef(name, namespace), options?.signal);
      const placement = placementOf(facts);
      const members = new Map<string, WorkloadStatus | null>();
      for (const [member, driver] of await registeredMembers(placement)) {
        try {
          members.set(member, await driver.status(name, options));
        } catch (error) {
          deps.logger?.warn({ err: error, member, workload: name }, 'reading a Karmada member\'s status directly failed');
        }
      }
      return federatedStatus({
        name,
        deploymentId: facts.deploymentId,
        specHash: facts.specHash,
        placement,
        template: templateFacts(template),
        binding: binding ? bindingFacts(binding) : undefined,
        members,
        observedAt: now().toISOString(),
      });
    },

    events: reads.events,
    clusterEvents: reads.clusterEvents,
    logs: reads.logs,
    followLogs: reads.followLogs,
    endpoints: reads.endpoints,
    /** The registered members' upstreams, each with the workload's replica token from the Karmada API server (what the members' pods require). */
    async upstreams(name) {
      const upstreams = await reads.upstreams(name);
      if (upstreams.length === 0) return [];
      const token = await tokens.of(name);
      return upstreams.map((upstream) => ({ url: upstream.url, token: token ?? upstream.token }));
    },

    async list(options?: ReadOptions): Promise<WorkloadSummary[]> {
      const summaries: WorkloadSummary[] = [];
      for (const { name, facts } of await policies(options?.signal)) {
        const template = await client.get(deploymentRef(name, namespace), options?.signal);
        if (!template) continue;
        summaries.push({ name, deploymentId: facts.deploymentId, specHash: facts.specHash, replicas: templateFacts(template).replicas });
      }
      return summaries;
    },

    async close() {
      driverEvents.clear();
      tokens.clear();
    },
  };
}
