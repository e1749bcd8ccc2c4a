import type { DeploymentMetricsHistory, DeploymentMetricsHistoryQuery, DeploymentMetricsSnapshot } from '../../domain/monitoring.js';
import { NotFoundError } from '../../lib/errors.js';
import { liveSnapshot } from '../../metrics/live-snapshot.js';
import { metricsHistory, resolveHistoryRange } from '../../metrics/metrics-history.js';
import { PrometheusNotConfiguredError, type PrometheusClient } from '../../metrics/prometheus-client.js';
import { prometheusSnapshot } from '../../metrics/prometheus-snapshot.js';
import type { ReadingMemory } from '../../metrics/reading-memory.js';
import type { ReplicaTarget } from '../../metrics/replica-scrape.js';
import { requireRuntime } from '../../runtimes/index.js';
import { DeadlineExceededError, readWithDeadline } from '../deployments/live-read.js';

export interface DeploymentMetricsDeps {
  deployments: { find(id: string): Promise<{ id: string; name: string; runtime: string } | undefined> };
  /** Undefined without PROMETHEUS_URL. */
  prometheus: PrometheusClient | undefined;
  /** The ready replicas the gateway routes the deployment's traffic to, with their metrics URL. */
  replicas(deploymentName: string, metricsPath: string): Promise<ReplicaTarget[]>;
  /** This instance's own `hmas_inference_*` exposition. */
  gatewayExposition(): Promise<string>;
  memory: ReadingMemory;
  /** SPEC: a read of one deployment answers within 5 s; Prometheus gets half, then live reads get the rest. */
  deadlineMs?: number;
  now?: () => Date;
}

/**
 * The monitoring of one deployment: a snapshot from Prometheus when it is configured, answers and
 * scrapes the deployment, else read live from its replicas (`source: 'live'`, stale with why when
 * Prometheus failed); history from Prometheus only.
 */
export function createDeploymentMetricsService(deps: DeploymentMetricsDeps) {
  const now = deps.now ?? (() => new Date());
  const deadlineMs = deps.deadlineMs ?? 5_000;

  async function deploymentOf(id: string) {
    const record = await deps.deployments.find(id);
    if (!record) throw new NotFoundError('deployment', id);
    const runtime = requireRuntime(record.runtime);
    return { id: record.id, name: record.name, runtime };
  }

  return {
    async snapshot(id: string): Promise<DeploymentMetricsSnapshot> {
      const deployment = await deploymentOf(id);
      const live = async (why?: string) => {
        const targets = deployment.runtime.metricsPath === null ? [] : await deps.replicas(deployment.name, deployment.runtime.metricsPath);
        // With Prometheus tried first, the replicas get the half of the deadline it left.
        const liveDeadline = deps.prometheus ? deadlineMs / 2 : deadlineMs;
        const snapshot = await liveSnapshot({ memory: deps.memory, gatewayExposition: deps.gatewayExposition, deadlineMs: liveDeadline }, deployment, targets);
        if (!why) return snapshot;
        return { ...snapshot, stale: true, staleReason: `${why} Numbers read live from the replicas.${snapshot.staleReason ? ` ${snapshot.staleReason}` : ''}` };
      };
      if (!deps.prometheus) return live();
      const client = deps.prometheus;
      try {
        const answer = await readWithDeadline(deadlineMs / 2, () => prometheusSnapshot(client, deployment, now()));
        if (answer.hasSeries) return answer.snapshot;
        return await live('Prometheus has no series of this deployment yet (does it scrape the targets of GET /api/prometheus/sd?).');
      } catch (error) {
        if (error instanceof DeadlineExceededError) return live(`Prometheus did not answer within ${error.ms} ms.`);
        return live(error instanceof Error ? error.message : String(error));
      }
    },

    async history(id: string, query: DeploymentMetricsHistoryQuery): Promise<DeploymentMetricsHistory> {
      const range = resolveHistoryRange(query, now());
      const deployment = await deploymentOf(id);
      if (!deps.prometheus) throw new PrometheusNotConfiguredError();
      return metricsHistory(deps.prometheus, deployment, range);
    },
  };
}

export type DeploymentMetricsService = ReturnType<typeof createDeploymentMetricsService>;
