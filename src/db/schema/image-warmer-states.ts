import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { clusters } from './clusters.js';

// Mirrors ../migrations/0015_image_warmer_states.sql.
export const imageWarmerStates = pgTable('image_warmer_states', {
  clusterId: uuid('cluster_id')
    .primaryKey()
    .references(() => clusters.id, { onDelete: 'cascade' }),
  phase: text('phase', { enum: ['off', 'idle', 'warming', 'ready', 'noNodes', 'error'] }).notNull(),
  namespace: text('namespace'),
  images: jsonb('images').$type<Array<{ image: string; runtimes: string[] }>>().notNull().default([]),
  desiredNodes: integer('desired_nodes').notNull().default(0),
  readyNodes: integer('ready_nodes').notNull().default(0),
  updatedNodes: integer('updated_nodes').notNull().default(0),
  lastError: text('last_error'),
  lastSyncAt: timestamp('last_sync_at', { withTimezone: true }).notNull(),
  lastChangeAt: timestamp('last_change_at', { withTimezone: true }),
});
