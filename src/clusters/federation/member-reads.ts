import type { LogLine, ReplicaLogs, WorkloadEndpoint, WorkloadEvent } from '../../domain/workload.js';
import type { ClusterDriver, ClusterWorkloadEvent, FollowLogOptions, LogOptions, ReadOptions } from '../cluster-driver.js';
import type { KubeEventFacts, KubeObjectClient } from '../kubernetes/kube-object-client.js';
import type { EventLog } from '../local/event-log.js';
import type { FederationPlacement } from './federation-placement.js';
import { memberReplicaId } from './federation-status.js';
import type { PolicyFacts } from './karmada-objects.js';

/** An address the gateway may send a workload's traffic to, with the replica token to send. */
export interface Upstream {
  url: string;
  token: string | null;
}

/** The driver of a member cluster that is also registered in H-MAS, or null. */
export type MemberDrivers = (member: string) => ClusterDriver | null | Promise<ClusterDriver | null>;

export interface MemberReadsDeps {
  namespace: string;
  client: KubeObjectClient;
  memberDrivers(placement: FederationPlacement): Promise<Map<string, ClusterDriver>>;
  policyOf(name: string, signal?: AbortSignal): Promise<PolicyFacts | undefined>;
  placementOf(facts: PolicyFacts | undefined): FederationPlacement;
  driverEvents(name: string): EventLog | undefined;
  /** Every federated workload with its placement (the namespace's PropagationPolicies, one list). */
  workloads(signal?: AbortSignal): Promise<Array<{ name: string; placement: FederationPlacement }>>;
}

/** `<member>/<id>` back into its parts; undefined for an id without a member. */
function splitReplica(id: string): { member: string; replica: string } | undefined {
  const slash = id.indexOf('/');
  return slash > 0 ? { member: id.slice(0, slash), replica: id.slice(slash + 1) } : undefined;
}

function karmadaEvent(event: KubeEventFacts, name: string): WorkloadEvent {
  const at = event.lastTimestamp ?? event.firstTimestamp ?? new Date(0).toISOString();
  return {
    type: event.type === 'Warning' ? 'Warning' : 'Normal',
    reason: event.reason,
    message: `${event.involvedObject.kind} ${event.involvedObject.name}: ${event.message}`,
    count: Math.max(1, event.count),
    firstTimestamp: event.firstTimestamp ?? at,
    lastTimestamp: at,
    involvedObject: { kind: 'Workload', name },
  };
}

/**
 * Reads of a federated workload that only its members can answer — logs, endpoints, per-replica
 * events — through the drivers of members registered in H-MAS, with replica ids `<member>/<id>`;
 * plus the events Karmada's controllers record on the Karmada API server.
 */
export function createMemberReads(deps: MemberReadsDeps) {
  /** What Karmada records on a workload's template, policies and binding, by involved object. */
  const karmadaObjects = (name: string) => [
    { kind: 'Deployment', name },
    { kind: 'PropagationPolicy', name },
    { kind: 'OverridePolicy', name },
    { kind: 'ResourceBinding', name: `${name}-deployment` },
  ];

  /** A member's events of these workloads: one `clusterEvents` read when it has one and several are asked for. */
  async function memberEvents(driver: ClusterDriver, names: readonly string[], since: Date | undefined, options?: ReadOptions): Promise<ClusterWorkloadEvent[]> {
    if (driver.clusterEvents && names.length > 1) {
      const wanted = new Set(names);
      return (await driver.clusterEvents(since, options)).filter((event) => wanted.has(event.workload));
    }
    const events: ClusterWorkloadEvent[] = [];
    for (const name of names) events.push(...(await driver.events(name, since, options)).map((event) => ({ ...event, workload: name })));
    return events;
  }

  /**
   * Events of these workloads: Karmada's (one list of the namespace), the driver's own, and each
   * registered member's with replica ids `<member>/<id>`; since a time, oldest first.
   */
  async function eventsOf(workloads: ReadonlyArray<{ name: string; placement: FederationPlacement }>, since: Date | undefined, options?: ReadOptions): Promise<ClusterWorkloadEvent[]> {
    if (workloads.length === 0) return [];
    const byObject = new Map(workloads.flatMap(({ name }) => karmadaObjects(name).map((object) => [`${object.kind}/${object.name}`, name] as const)));
    const involved = workloads.flatMap(({ name }) => karmadaObjects(name));
    const events: ClusterWorkloadEvent[] = [];
    for (const event of await deps.client.events(deps.namespace, involved, options?.signal)) {
      const name = byObject.get(`${event.involvedObject.kind}/${event.involvedObject.name}`);
      if (name !== undefined) events.push({ ...karmadaEvent(event, name), workload: name });
    }
    for (const { name } of workloads) events.push(...(deps.driverEvents(name)?.since() ?? []).map((event) => ({ ...event, workload: name })));
    // Each registered member once, for the workloads placed on it.
    const onMember = new Map<string, { driver: ClusterDriver; names: string[] }>();
    for (const { name, placement } of workloads) {
      for (const [member, driver] of await deps.memberDrivers(placement)) {
        const entry = onMember.get(member) ?? { driver, names: [] };
        entry.names.push(name);
        onMember.set(member, entry);
      }
    }
    for (const [member, { driver, names }] of onMember) {
      for (const event of await memberEvents(driver, names, since, options)) events.push({ ...event, involvedObject: { kind: event.involvedObject.kind, name: memberReplicaId(member, event.involvedObject.name) } });
    }
    const from = since?.getTime() ?? Number.NEGATIVE_INFINITY;
    return events.filter((event) => Date.parse(event.lastTimestamp) >= from).sort((a, b) => Date.parse(a.lastTimestamp) - Date.parse(b.lastTimestamp));
  }

  async function membersOf(name: string, signal?: AbortSignal): Promise<Map<string, ClusterDriver> | undefined> {
    const facts = await deps.policyOf(name, signal);
    return facts ? deps.memberDrivers(deps.placementOf(facts)) : undefined;
  }

  return {
    async events(name: string, since?: Date, options?: ReadOptions): Promise<WorkloadEvent[]> {
      const facts = await deps.policyOf(name, options?.signal);
      if (!facts) return [];
      return (await eventsOf([{ name, placement: deps.placementOf(facts) }], since, options)).map(({ workload: _workload, ...event }) => event);
    },

    /** Every federated workload's events: one list of the Karmada namespace's events, one read per registered member. */
    async clusterEvents(since?: Date, options?: ReadOptions): Promise<ClusterWorkloadEvent[]> {
      return eventsOf(await deps.workloads(options?.signal), since, options);
    },

    async logs(name: string, options?: LogOptions & ReadOptions): Promise<ReplicaLogs[]> {
      const members = await membersOf(name, options?.signal);
      if (!members) return [];
      const wanted = options?.replica !== undefined ? splitReplica(options.replica) : undefined;
      if (options?.replica !== undefined && !wanted) return [];
      const result: ReplicaLogs[] = [];
      for (const [member, driver] of members) {
        if (wanted && wanted.member !== member) continue;
        const logs = await driver.logs(name, { ...options, ...(wanted ? { replica: wanted.replica } : {}) });
        result.push(...logs.map((entry) => ({ ...entry, replica: memberReplicaId(member, entry.replica) })));
      }
      return result;
    },

    followLogs(name: string, options?: FollowLogOptions): AsyncIterable<LogLine> {
      return {
        async *[Symbol.asyncIterator]() {
          const members = await membersOf(name, options?.signal);
          if (!members) return;
          const wanted = options?.replica !== undefined ? splitReplica(options.replica) : undefined;
          const streams = [...members]
            .filter(([member]) => !wanted || wanted.member === member)
            .map(([member, driver]) => ({ member, iterator: driver.followLogs(name, { ...options, ...(wanted ? { replica: wanted.replica } : {}) })[Symbol.asyncIterator]() }));
          // Lines from every member as they come, each stream read one line at a time.
          const pending = new Map(streams.map((stream, index) => [index, stream.iterator.next().then((result) => ({ index, result }))]));
          while (pending.size > 0) {
            const { index, result } = await Promise.race(pending.values());
            if (result.done) {
              pending.delete(index);
              continue;
            }
            const stream = streams[index] as (typeof streams)[number];
            pending.set(index, stream.iterator.next().then((next) => ({ index, result: next })));
            yield { replica: memberReplicaId(stream.member, result.value.replica), line: result.value.line };
          }
        },
      };
    },

    /** Where the gateway sends traffic, with each member's replica token: from members whose driver gives them (the Kubernetes driver's `upstreams`). */
    async upstreams(name: string): Promise<Upstream[]> {
      const result: Upstream[] = [];
      for (const driver of (await membersOf(name))?.values() ?? []) {
        const withUpstreams = driver as ClusterDriver & { upstreams?: (name: string) => Promise<Upstream[]> };
        if (typeof withUpstreams.upstreams === 'function') result.push(...(await withUpstreams.upstreams(name)));
      }
      return result;
    },

    async endpoints(name: string, options?: ReadOptions): Promise<WorkloadEndpoint[]> {
      const members = await membersOf(name, options?.signal);
      const result: WorkloadEndpoint[] = [];
      for (const [member, driver] of members ?? []) {
        result.push(...(await driver.endpoints(name, options)).map((endpoint) => ({ ...endpoint, replica: memberReplicaId(member, endpoint.replica) })));
      }
      return result;
    },
  };
}
