import type { Cluster } from '../../domain/cluster.js';
import type { GpuPrice, GpuPriceList, PutGpuPriceInput } from '../../domain/costs.js';
import type { Page } from '../../domain/pagination.js';
import { AppError, ConflictError } from '../../lib/errors.js';
import type { GpuPriceRepo } from './gpu-price-repo.js';

export interface GpuPriceServiceDeps {
  repo: GpuPriceRepo;
  clusters: { list(limit: number, offset: number): Promise<Page<Cluster>> };
  /** GPU models with recorded usage. */
  usedModels(): Promise<string[]>;
}

/** Prices per GPU-hour of each GPU model: blank by default, one currency per installation. */
export function createGpuPriceService(deps: GpuPriceServiceDeps) {
  return {
    /** Every GPU model the clusters have now, has usage recorded, or has a price; priced or not. */
    async list(): Promise<GpuPriceList> {
      const [prices, clusters, used] = await Promise.all([deps.repo.list(), deps.clusters.list(500, 0), deps.usedModels()]);
      const found = new Map<string, { clusters: Set<string>; gpus: number }>();
      const entry = (model: string) => found.get(model) ?? found.set(model, { clusters: new Set(), gpus: 0 }).get(model)!;
      for (const cluster of clusters.items) {
        for (const group of cluster.inventory?.nodes.flatMap((node) => node.gpus) ?? []) {
          const model = entry(group.model);
          model.clusters.add(cluster.name);
          model.gpus += group.count;
        }
      }
      for (const model of used) entry(model);
      for (const price of prices) entry(price.gpuModel);
      const priceOf = new Map(prices.map((price) => [price.gpuModel, price]));
      const items = [...found]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([gpuModel, seen]) => {
          const price = priceOf.get(gpuModel);
          return {
            gpuModel,
            pricePerGpuHour: price?.pricePerGpuHour ?? null,
            currency: price?.currency ?? null,
            updatedAt: price?.updatedAt ?? null,
            updatedBy: price?.updatedBy ?? null,
            clusters: [...seen.clusters].sort(),
            gpus: seen.gpus,
          };
        });
      return { currency: prices[0]?.currency ?? null, items };
    },

    /** 409 CURRENCY_MISMATCH when other prices use another currency. */
    async put(gpuModel: string, input: PutGpuPriceInput, username: string): Promise<GpuPrice> {
      const result = await deps.repo.put({ gpuModel, ...input, updatedBy: username });
      if ('otherCurrency' in result) {
        throw new ConflictError(
          'CURRENCY_MISMATCH',
          `GPU prices are in ${result.otherCurrency}: one currency per installation. Give this price in ${result.otherCurrency}, or remove the other prices first to switch to ${input.currency}.`,
          { currency: result.otherCurrency },
        );
      }
      return result.saved;
    },

    /** 404 GPU_PRICE_NOT_FOUND when the model has no price. */
    async remove(gpuModel: string): Promise<void> {
      if (!(await deps.repo.remove(gpuModel))) throw new AppError('GPU_PRICE_NOT_FOUND', `GPU model "${gpuModel}" has no price.`, { statusCode: 404 });
    },
  };
}

export type GpuPriceService = ReturnType<typeof createGpuPriceService>;
