import { bigint, doublePrecision, numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Mirrors ../migrations/0020_gpu_costs.sql (no foreign keys: usage outlives its deployment).

/** What a GPU-hour of a GPU model costs; models without a row have no price. */
export const gpuPrices = pgTable('gpu_prices', {
  gpuModel: text('gpu_model').primaryKey(),
  /** numeric(18, 6): read back as a string. */
  pricePerGpuHour: numeric('price_per_gpu_hour', { precision: 18, scale: 6 }).notNull(),
  currency: text('currency').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  /** The username of who set it. */
  updatedBy: text('updated_by'),
});

/** GPU-seconds a deployment used in one hour (`hour` is the hour's start), on one cluster and GPU model ('' = unknown). */
export const gpuUsage = pgTable('gpu_usage', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  hour: timestamp('hour', { withTimezone: true }).notNull(),
  deploymentId: uuid('deployment_id').notNull(),
  deploymentName: text('deployment_name').notNull(),
  clusterId: uuid('cluster_id').notNull(),
  clusterName: text('cluster_name').notNull(),
  gpuModel: text('gpu_model').notNull(),
  gpuSeconds: doublePrecision('gpu_seconds').notNull(),
});

/** When each deployment's GPUs were last counted. */
export const gpuUsageSamples = pgTable('gpu_usage_samples', {
  deploymentId: uuid('deployment_id').primaryKey(),
  sampledAt: timestamp('sampled_at', { withTimezone: true }).notNull(),
});
