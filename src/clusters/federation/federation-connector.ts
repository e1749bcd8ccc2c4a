import type { ConnectionCheck, Inventory } from '../../domain/cluster.js';
import type { ClusterConnector, ConnectorTestResult } from '../cluster-connector.js';
import type { Logger } from '../../lib/logger.js';
import { createKubeClient, type KarmadaClusterFacts } from '../kubernetes/kube-client.js';
import { describeKubeError } from '../kubernetes/kube-error.js';
import { GPU_RESOURCE } from '../kubernetes/kube-inventory.js';
import type { ParsedKubeconfig } from '../kubernetes/kubeconfig.js';
import { deadlineSignal, kubeconfigCheck } from '../kubernetes/kubernetes-connector.js';
import { parseCount, parseQuantity } from '../kubernetes/quantity.js';

export interface FederationConnectorOptions {
  /** Kubeconfig of the Karmada API server. */
  kubeconfig: ParsedKubeconfig;
  memberCluster: string;
  timeoutMs: number;
  now: () => Date;
  /** Where exceptions that are not the cluster's fault go (answers only say that they happened). */
  logger?: Logger;
}

/**
 * Karmada reports a member's totals (resourceSummary, nodeSummary), not its nodes: the
 * inventory has totals and a note saying per-node detail is not available this way.
 */
export function karmadaInventory(member: KarmadaClusterFacts, collectedAt: Date): Inventory {
  const allocatable = member.resourceSummary?.allocatable ?? {};
  const allocated = member.resourceSummary?.allocated ?? {};
  const allocating = member.resourceSummary?.allocating ?? {};
  const gpuAllocatable = parseCount(allocatable[GPU_RESOURCE]);
  return {
    collectedAt: collectedAt.toISOString(),
    nodes: [],
    totals: {
      nodes: member.nodeSummary?.totalNum ?? 0,
      readyNodes: member.nodeSummary?.readyNum ?? 0,
      gpus: gpuAllocatable,
      gpuAllocatable,
      gpuAllocated: parseCount(allocated[GPU_RESOURCE]) + parseCount(allocating[GPU_RESOURCE]),
      gpuMemoryMiB: 0,
      cpuCores: parseQuantity(allocatable.cpu) ?? 0,
      memoryBytes: Math.round(parseQuantity(allocatable.memory) ?? 0),
    },
    notes: [
      `Totals from Karmada's resource summary of member cluster "${member.name}"; per-node GPU models and memory are not available through the federation API server.`,
    ],
  };
}

function readyCondition(member: KarmadaClusterFacts) {
  return member.conditions.find((condition) => condition.type === 'Ready');
}

/** A member cluster reached through a Karmada API server. */
export function createFederationConnector(options: FederationConnectorOptions): ClusterConnector {
  const { kubeconfig, memberCluster, timeoutMs, now } = options;
  const client = createKubeClient(kubeconfig);
  const why = (error: unknown) => describeKubeError(error, kubeconfig.server, timeoutMs, (unexpected) => options.logger?.warn({ err: unexpected, server: kubeconfig.server }, 'unexpected error talking to a Karmada API server'));

  return {
    kind: 'federation',
    async test(signal): Promise<ConnectorTestResult> {
      const deadline = deadlineSignal(timeoutMs, signal);
      const checks: ConnectionCheck[] = [kubeconfigCheck(kubeconfig)];
      const fail = (message: string, ...more: ConnectionCheck[]): ConnectorTestResult => ({
        ok: false,
        message,
        checks: [...checks, ...more],
        readiness: 'notReady',
        inventory: null,
      });
      let version: string;
      try {
        version = (await client.version(deadline)).gitVersion;
        checks.push({ name: 'Karmada API server', ok: true, detail: `answers at ${kubeconfig.server} (${version})` });
      } catch (error) {
        const reason = why(error);
        return fail(`Cannot reach the Karmada API server: ${reason}.`, { name: 'Karmada API server', ok: false, detail: reason }, { name: 'member cluster', ok: false, detail: 'not checked: the Karmada API server did not answer' });
      }
      let member: KarmadaClusterFacts | undefined;
      try {
        member = await client.getKarmadaCluster(memberCluster, deadline);
      } catch (error) {
        const reason = why(error);
        return fail(`Karmada answers, but reading member cluster "${memberCluster}" failed: ${reason}.`, { name: 'member cluster', ok: false, detail: reason });
      }
      if (!member) {
        return fail(`Karmada has no member cluster "${memberCluster}"; join it first (karmadactl join, or register it for pull mode).`, {
          name: 'member cluster',
          ok: false,
          detail: `clusters.cluster.karmada.io "${memberCluster}" not found`,
        });
      }
      checks.push({
        name: 'member cluster',
        ok: true,
        detail: `"${memberCluster}" is registered${member.syncMode ? ` (${member.syncMode} mode)` : ''}${member.kubernetesVersion ? `, Kubernetes ${member.kubernetesVersion}` : ''}`,
      });
      const ready = readyCondition(member);
      const isReady = ready?.status === 'True';
      const readyDetail = ready ? `Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}${ready.message ? `: ${ready.message}` : ''}` : 'Karmada reports no Ready condition yet';
      checks.push({ name: 'member ready', ok: isReady, detail: readyDetail });
      const inventory = karmadaInventory(member, now());
      return {
        ok: isReady,
        message: isReady
          ? `Connected through Karmada ${version}: member "${memberCluster}" is Ready, ${inventory.totals.nodes} nodes, ${inventory.totals.gpuAllocatable} allocatable GPUs.`
          : `Member cluster "${memberCluster}" is not Ready: ${readyDetail}.`,
        checks,
        readiness: isReady ? 'ready' : 'notReady',
        inventory,
      };
    },
    async inventory(signal) {
      let member: KarmadaClusterFacts | undefined;
      try {
        member = await client.getKarmadaCluster(memberCluster, deadlineSignal(timeoutMs, signal));
      } catch (error) {
        throw new Error(`Cannot read the inventory through Karmada: ${why(error)}.`, { cause: error });
      }
      if (!member) throw new Error(`Karmada has no member cluster "${memberCluster}".`);
      return karmadaInventory(member, now());
    },
  };
}
