import { boolean, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { DeploymentStatus } from '../../domain/deployment-status.js';

export const deployments = pgTable('deployments', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  modelId: uuid('model_id').notNull(),
  clusterId: uuid('cluster_id').notNull(),
  placementStrategyId: uuid('placement_strategy_id'),
  resourceProfileId: uuid('resource_profile_id'),
  runtime: text('runtime').notNull(),
  replicas: integer('replicas').notNull(),
  optimization: jsonb('optimization').$type<Record<string, unknown>>().notNull().default({}),
  optimizationPresetId: text('optimization_preset_id'),
  strategy: text('strategy', { enum: ['RollingUpdate', 'Recreate'] }).notNull().default('RollingUpdate'),
  paused: boolean('paused').notNull().default(false),
  deleting: boolean('deleting').notNull().default(false),
  specHash: text('spec_hash'),
  status: text('status').$type<DeploymentStatus>().notNull().default('pending'),
  statusReason: text('status_reason'),
  statusMessage: text('status_message').notNull().default(''),
  readyReplicas: integer('ready_replicas').notNull().default(0),
  endpoints: jsonb('endpoints').$type<string[]>().notNull().default([]),
  observedAt: timestamp('observed_at', { withTimezone: true }),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  createdBy: uuid('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
