import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { FailoverState } from '../../domain/failover.js';

/** Moves of deployments off lost clusters (migrations 0018 and 0019; states explained there). */
export const deploymentFailovers = pgTable('deployment_failovers', {
  id: uuid('id').primaryKey(),
  deploymentId: uuid('deployment_id').notNull(),
  deploymentName: text('deployment_name').notNull(),
  fromClusterId: uuid('from_cluster_id').notNull(),
  toClusterId: uuid('to_cluster_id'),
  targetClusterId: uuid('target_cluster_id'),
  claimedBy: text('claimed_by'),
  state: text('state').$type<FailoverState>().notNull(),
  reason: text('reason').notNull().default(''),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  detectedAt: timestamp('detected_at', { withTimezone: true }).notNull(),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
  movedAt: timestamp('moved_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
