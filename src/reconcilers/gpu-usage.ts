import type { Logger } from '../lib/logger.js';
import type { Reconciler } from './reconciler.js';
import { retention } from './retention.js';

/**
 * Every minute (and at start, so a new leader goes on where the old one stopped): adds each
 * deployment's GPU time since its last count to the hour's usage. Leader only: the counts are
 * serialized in the database anyway, but one counter is enough.
 */
export function gpuUsage(deps: { usage: { sample(): Promise<{ problems: Array<{ deployment: string; error: unknown }> }> }; logger: Logger; intervalMs?: number }): Reconciler {
  return {
    name: 'gpu-usage',
    intervalMs: deps.intervalMs ?? 60_000,
    needsLeader: true,
    touches: 'gpu_usage (GPU-seconds per deployment per hour), gpu_usage_samples',
    runImmediately: true,
    async tick() {
      const { problems } = await deps.usage.sample();
      for (const problem of problems) deps.logger.warn({ err: problem.error, deployment: problem.deployment }, 'could not count the GPUs of a deployment; counted none');
    },
  };
}

/** Hourly: deletes GPU usage older than its retention (HMAS_GPU_USAGE_RETENTION_DAYS). */
export const gpuUsageRetention = (deps: { store: { purgeOlderThan(days: number): Promise<number> }; retentionDays: number; logger: Logger }): Reconciler =>
  retention({ name: 'gpu-usage-retention', touches: 'gpu_usage (deletes old hours)', what: 'GPU usage hours' }, deps);
