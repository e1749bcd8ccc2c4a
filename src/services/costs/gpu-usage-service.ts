import { purgeInBatches } from '../../lib/batched-purge.js';
import type { GpuUsageRepo } from './gpu-usage-repo.js';
import { usageTargets, type UsageTargetDeps } from './usage-targets.js';

export interface GpuUsageServiceDeps extends UsageTargetDeps {
  repo: Pick<GpuUsageRepo, 'record' | 'deleteOlderThan'>;
  /** The longest time one count adds (default 2 minutes: two intervals of the loop). */
  maxGapMs?: number;
  now?: () => Date;
}

/** GPU time per deployment per hour: counted by the gpu-usage loop, forgotten after the retention. */
export function createGpuUsageService(deps: GpuUsageServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const maxGapMs = deps.maxGapMs ?? 120_000;
  return {
    /**
     * One count of every deployment's GPU time (the loop's tick): GPUs now × the time since the
     * last count, at most `maxGapMs`. Answers the GPU-seconds added and the deployments that
     * could not be counted.
     */
    async sample(): Promise<{ gpuSeconds: number; problems: Array<{ deployment: string; error: unknown }> }> {
      const { targets, problems } = await usageTargets(deps);
      const gpuSeconds = await deps.repo.record(targets, now(), maxGapMs);
      return { gpuSeconds, problems };
    },

    /** Deletes usage of hours older than `days`, in batches; answers how many rows went. */
    purgeOlderThan: (days: number): Promise<number> => purgeInBatches((cutoff, batchSize) => deps.repo.deleteOlderThan(cutoff, batchSize), { days, now: now() }),
  };
}

export type GpuUsageService = ReturnType<typeof createGpuUsageService>;
