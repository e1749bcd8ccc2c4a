import type { DeploymentMetricsSnapshot } from '../domain/monitoring.js';
import type { ServingMetricMap } from '../runtimes/runtime-adapter.js';
import { parseExposition } from './exposition.js';
import { evaluatePercentiles, evaluateScalar, type ReadingPair } from './live-evaluate.js';
import { readGateway, readServing, sentence, unsupportedFields, type FieldReader } from './normalize.js';
import type { ReadingMemory } from './reading-memory.js';
import { describeTarget, scrapeReplica, type ReplicaTarget } from './replica-scrape.js';

export interface LiveDeployment {
  id: string;
  name: string;
  runtime: { id: string; metricsPath: string | null; servingMetrics: ServingMetricMap };
}

export interface LiveSnapshotDeps {
  memory: ReadingMemory;
  /** This instance's own Prometheus exposition (the app registry, with `hmas_inference_*`). */
  gatewayExposition(): Promise<string>;
  /** Per-replica deadline (SPEC: 5 s for one deployment). */
  deadlineMs: number;
  scrape?: typeof scrapeReplica;
}

const readerOf = (readings: readonly ReadingPair[]): FieldReader => ({
  scalar: (source) => evaluateScalar(source, readings),
  percentiles: (source) => evaluatePercentiles(source, readings),
});

/**
 * A snapshot read right now: every ready replica's /metrics in parallel, each within the
 * deadline, rates against the remembered previous reading, percentiles from cumulative buckets.
 * A replica that does not answer leaves its share out and marks the snapshot stale. Gateway
 * numbers are this instance's own (`hmas_inference_*` of its registry).
 */
export async function liveSnapshot(deps: LiveSnapshotDeps, deployment: LiveDeployment, targets: readonly ReplicaTarget[]): Promise<DeploymentMetricsSnapshot> {
  const scrape = deps.scrape ?? scrapeReplica;
  const problems: string[] = [];
  const readings: ReadingPair[] = [];
  if (deployment.runtime.metricsPath !== null) {
    if (targets.length === 0) problems.push('no ready replica is reachable from this H-MAS instance');
    const results = await Promise.allSettled(targets.map((target) => scrape(target, deps.deadlineMs)));
    results.forEach((result, index) => {
      const target = targets[index]!;
      if (result.status === 'fulfilled') readings.push(deps.memory.record(`${deployment.id} ${target.url}`, result.value));
      else problems.push(`replica ${describeTarget(target.url)} did not answer (${(result.reason as Error).message})`);
    });
  }
  const gatewaySamples = parseExposition(await deps.gatewayExposition()).samples.filter((sample) => sample.labels.deployment === deployment.name);
  const gatewayReading = deps.memory.record(`${deployment.id} gateway`, gatewaySamples);

  const serving = await readServing(deployment.runtime.servingMetrics, readerOf(readings));
  const gateway = await readGateway(readerOf([gatewayReading]));
  return {
    deploymentId: deployment.id,
    deployment: deployment.name,
    runtime: deployment.runtime.id,
    source: 'live',
    at: new Date(deps.memory.now()).toISOString(),
    stale: problems.length > 0,
    ...(problems.length > 0 ? { staleReason: sentence(problems) } : {}),
    serving,
    gateway,
    unsupported: unsupportedFields(deployment.runtime.servingMetrics),
  };
}
