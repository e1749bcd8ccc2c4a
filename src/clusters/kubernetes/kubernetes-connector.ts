import type { ConnectionCheck, Inventory } from '../../domain/cluster.js';
import type { ClusterConnector } from '../cluster-connector.js';
import type { Logger } from '../../lib/logger.js';
import { createKubeClient, type KubeClient } from './kube-client.js';
import { describeKubeError } from './kube-error.js';
import { buildKubeInventory } from './kube-inventory.js';
import type { ParsedKubeconfig } from './kubeconfig.js';

export interface KubernetesConnectorOptions {
  kubeconfig: ParsedKubeconfig;
  /** Deadline for a whole test or inventory, all calls together. */
  timeoutMs: number;
  now: () => Date;
  /** Where exceptions that are not the cluster's fault go (answers only say that they happened). */
  logger?: Logger;
}

/** Joins the caller's signal (if any) with the connector's own deadline. */
export function deadlineSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const deadline = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, deadline]) : deadline;
}

export function kubeconfigCheck(kubeconfig: ParsedKubeconfig): ConnectionCheck {
  const tls = kubeconfig.insecureSkipTlsVerify ? '; TLS verification of the API server is off (insecure-skip-tls-verify)' : '';
  return { name: 'kubeconfig', ok: true, detail: `context "${kubeconfig.context}", API server ${kubeconfig.server}${tls}` };
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** A cluster reached directly with a kubeconfig ("push" mode). */
export function createKubernetesConnector(options: KubernetesConnectorOptions): ClusterConnector {
  const { kubeconfig, timeoutMs, now } = options;
  const client: KubeClient = createKubeClient(kubeconfig);
  const why = (error: unknown) => describeKubeError(error, kubeconfig.server, timeoutMs, (unexpected) => options.logger?.warn({ err: unexpected, server: kubeconfig.server }, 'unexpected error talking to a Kubernetes API server'));

  /** Nodes, then pods for allocation; a pod listing failure only costs the allocation. */
  async function collect(signal: AbortSignal): Promise<{ inventory: Inventory; podsProblem: string | undefined }> {
    const nodes = await client.listNodes(signal);
    let pods;
    let podsProblem: string | undefined;
    try {
      pods = await client.listPods(signal);
    } catch (error) {
      podsProblem = `listing pods failed: ${why(error)}`;
    }
    return { inventory: buildKubeInventory(nodes, pods, now(), podsProblem), podsProblem };
  }

  return {
    kind: 'kubeconfig',
    async test(signal) {
      const deadline = deadlineSignal(timeoutMs, signal);
      const checks: ConnectionCheck[] = [kubeconfigCheck(kubeconfig)];
      let version: string;
      try {
        version = (await client.version(deadline)).gitVersion;
        checks.push({ name: 'API server', ok: true, detail: `Kubernetes ${version} at ${kubeconfig.server}` });
      } catch (error) {
        const reason = why(error);
        checks.push({ name: 'API server', ok: false, detail: reason }, { name: 'nodes', ok: false, detail: 'not checked: the API server did not answer' });
        return { ok: false, message: `Cannot reach the cluster: ${reason}.`, checks, readiness: 'notReady', inventory: null };
      }
      let collected;
      try {
        collected = await collect(deadline);
      } catch (error) {
        const reason = why(error);
        checks.push({ name: 'nodes', ok: false, detail: `listing nodes failed: ${reason}` });
        return { ok: false, message: `Kubernetes ${version} answers, but listing nodes failed: ${reason}.`, checks, readiness: 'notReady', inventory: null };
      }
      const { inventory, podsProblem } = collected;
      const { totals } = inventory;
      const nodesOk = totals.readyNodes > 0;
      checks.push({
        name: 'nodes',
        ok: nodesOk,
        detail: `${plural(totals.nodes, 'node')} (${totals.readyNodes} Ready), ${plural(totals.gpus, 'GPU')}${nodesOk ? '' : ': no node is Ready'}`,
      });
      checks.push(
        podsProblem
          ? { name: 'GPU allocation', ok: false, detail: `${podsProblem}; allocation shows 0` }
          : { name: 'GPU allocation', ok: true, detail: `${totals.gpuAllocated} of ${plural(totals.gpuAllocatable, 'allocatable GPU')} requested by running pods` },
      );
      const summary = `Kubernetes ${version}: ${plural(totals.nodes, 'node')} (${totals.readyNodes} Ready), ${plural(totals.gpus, 'GPU')}, ${totals.gpuAllocated} allocated`;
      return {
        // Listing pods is not needed to reach the cluster; its failure is reported, not fatal.
        ok: nodesOk,
        message: nodesOk ? `Connected. ${summary}.${podsProblem ? ` GPU allocation unknown (${podsProblem}).` : ''}` : `${summary}: no node is Ready.`,
        checks,
        readiness: nodesOk ? 'ready' : 'notReady',
        inventory,
      };
    },
    async inventory(signal) {
      try {
        return (await collect(deadlineSignal(timeoutMs, signal))).inventory;
      } catch (error) {
        throw new Error(`Cannot read the inventory: ${why(error)}.`, { cause: error });
      }
    },
  };
}
