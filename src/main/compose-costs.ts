import type { Config } from '../config/config.js';
import type { DatabaseHandle } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import { gpuUsage, gpuUsageRetention } from '../reconcilers/gpu-usage.js';
import type { Reconciler } from '../reconcilers/reconciler.js';
import { registerCostRoutes } from '../server/routes/cost.routes.js';
import type { ZodApp } from '../server/routes/route-types.js';
import { createCostRepo } from '../services/costs/cost-repo.js';
import { createCostService } from '../services/costs/cost-service.js';
import { createGpuPriceRepo } from '../services/costs/gpu-price-repo.js';
import { createGpuPriceService } from '../services/costs/gpu-price-service.js';
import { createGpuUsageRepo } from '../services/costs/gpu-usage-repo.js';
import { createGpuUsageService, type GpuUsageService } from '../services/costs/gpu-usage-service.js';
import type { UsageTargetDeps } from '../services/costs/usage-targets.js';
import { createPolicyReader } from '../services/deployments/policy-reader.js';

export interface CostsDeps {
  config: Pick<Config, 'gpuUsageRetentionDays' | 'inferenceLog'>;
  database: DatabaseHandle;
  logger: Logger;
  deployments: UsageTargetDeps['deployments'];
  models: UsageTargetDeps['models'];
  clusters: UsageTargetDeps['clusters'];
  policies: Parameters<typeof createPolicyReader>[0];
  /** The clock of GPU counts and report ranges (tests move it). */
  now?: () => Date;
}

/**
 * Costs, wired: GPU prices and cost reports (routes), GPU time counted every minute and kept
 * HMAS_GPU_USAGE_RETENTION_DAYS (loops) — for `compose.ts` to add.
 */
export function composeCosts(deps: CostsDeps): { features: Array<(app: ZodApp) => void>; reconcilers: Reconciler[]; gpuUsage: GpuUsageService } {
  const { config, database, logger } = deps;
  const usageRepo = createGpuUsageRepo(database.db);
  const priceRepo = createGpuPriceRepo(database.db);
  const clock = deps.now ? { now: deps.now } : {};
  const usage = createGpuUsageService({ repo: usageRepo, deployments: deps.deployments, models: deps.models, profiles: createPolicyReader(deps.policies), clusters: deps.clusters, ...clock });
  const prices = createGpuPriceService({ repo: priceRepo, clusters: deps.clusters, usedModels: () => usageRepo.gpuModels() });
  const costs = createCostService({
    repo: createCostRepo(database.db),
    prices: priceRepo,
    retention: { inferenceLogDays: config.inferenceLog.retentionDays, gpuUsageDays: config.gpuUsageRetentionDays },
    ...clock,
  });
  return {
    gpuUsage: usage,
    features: [(app) => registerCostRoutes(app, { costs, prices })],
    reconcilers: [gpuUsage({ usage, logger: logger.child({ component: 'gpu-usage' }) }), gpuUsageRetention({ store: usage, retentionDays: config.gpuUsageRetentionDays, logger })],
  };
}
