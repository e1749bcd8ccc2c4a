import { bigint, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { EventType } from '../../domain/workload.js';

// Mirrors ../migrations/0017_deployment_events.sql (no foreign keys: history outlives its deployment).
export const deploymentEvents = pgTable('deployment_events', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  fingerprint: text('fingerprint').notNull(),
  deploymentId: uuid('deployment_id').notNull(),
  deploymentName: text('deployment_name').notNull(),
  clusterId: uuid('cluster_id').notNull(),
  clusterName: text('cluster_name').notNull(),
  type: text('type').$type<EventType>().notNull(),
  reason: text('reason').notNull(),
  message: text('message').notNull(),
  objectKind: text('object_kind').notNull(),
  objectName: text('object_name').notNull(),
  firstSeen: timestamp('first_seen', { withTimezone: true }).notNull(),
  lastSeen: timestamp('last_seen', { withTimezone: true }).notNull(),
  count: integer('count').notNull(),
  /** The count the cluster last reported for this event (what the next copy's count is compared with). */
  reportedCount: integer('reported_count').notNull(),
});
