import { asc, eq, ne, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { gpuPrices } from '../../db/schema/index.js';
import type { GpuPrice } from '../../domain/costs.js';

/** Serializes price changes, so two at once cannot set two currencies: "GPU$" in ASCII. */
const PRICE_LOCK_KEY = 0x47505524;

const toPrice = (row: typeof gpuPrices.$inferSelect): GpuPrice => ({
  gpuModel: row.gpuModel,
  pricePerGpuHour: Number(row.pricePerGpuHour),
  currency: row.currency,
  updatedAt: row.updatedAt.toISOString(),
  updatedBy: row.updatedBy,
});

export function createGpuPriceRepo(db: Database) {
  return {
    async list(): Promise<GpuPrice[]> {
      return (await db.select().from(gpuPrices).orderBy(asc(gpuPrices.gpuModel))).map(toPrice);
    },

    /**
     * Sets a model's price unless other models' prices use another currency: then answers that
     * currency and changes nothing.
     */
    async put(price: { gpuModel: string; pricePerGpuHour: number; currency: string; updatedBy: string }): Promise<{ saved: GpuPrice } | { otherCurrency: string }> {
      return db.transaction(async (tx) => {
        await tx.execute(sql`SELECT pg_advisory_xact_lock(${PRICE_LOCK_KEY})`);
        const [other] = await tx.select({ currency: gpuPrices.currency }).from(gpuPrices).where(ne(gpuPrices.gpuModel, price.gpuModel)).limit(1);
        if (other && other.currency !== price.currency) return { otherCurrency: other.currency };
        const values = { gpuModel: price.gpuModel, pricePerGpuHour: price.pricePerGpuHour.toFixed(6), currency: price.currency, updatedBy: price.updatedBy, updatedAt: new Date() };
        const [row] = await tx
          .insert(gpuPrices)
          .values(values)
          .onConflictDoUpdate({ target: gpuPrices.gpuModel, set: { pricePerGpuHour: values.pricePerGpuHour, currency: values.currency, updatedBy: values.updatedBy, updatedAt: values.updatedAt } })
          .returning();
        return { saved: toPrice(row!) };
      });
    },

    /** Answers whether there was a price to remove. */
    async remove(gpuModel: string): Promise<boolean> {
      const deleted = await db.delete(gpuPrices).where(eq(gpuPrices.gpuModel, gpuModel)).returning({ gpuModel: gpuPrices.gpuModel });
      return deleted.length > 0;
    },
  };
}

export type GpuPriceRepo = ReturnType<typeof createGpuPriceRepo>;
