import { jsonb, pgTable, text, timestamp, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';
import type { ChangeCause, DeploymentConfig, HistoryResult, RolloutConfig, RolloutState } from '../../domain/rollout.js';
import { deployments } from './deployments.js';

// Mirrors ../migrations/0016_deployment_rollouts.sql.
export const deploymentRollouts = pgTable('deployment_rollouts', {
  id: uuid('id').primaryKey(),
  deploymentId: uuid('deployment_id')
    .notNull()
    .references(() => deployments.id, { onDelete: 'cascade' }),
  cause: text('cause').$type<ChangeCause>().notNull(),
  state: text('state').$type<RolloutState>().notNull().default('progressing'),
  strategy: text('strategy', { enum: ['RollingUpdate', 'Recreate'] }).notNull(),
  previousConfig: jsonb('previous_config').$type<RolloutConfig>().notNull(),
  previousSpecHash: text('previous_spec_hash'),
  targetConfig: jsonb('target_config').$type<RolloutConfig>().notNull(),
  targetSpecHash: text('target_spec_hash').notNull(),
  rollbackOf: uuid('rollback_of').references((): AnyPgColumn => deploymentRollouts.id, { onDelete: 'set null' }),
  reason: text('reason'),
  message: text('message').notNull().default(''),
  actorId: uuid('actor_id'),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

export const deploymentConfigHistory = pgTable('deployment_config_history', {
  id: uuid('id').primaryKey(),
  deploymentId: uuid('deployment_id')
    .notNull()
    .references(() => deployments.id, { onDelete: 'cascade' }),
  rolloutId: uuid('rollout_id').references(() => deploymentRollouts.id, { onDelete: 'set null' }),
  cause: text('cause').$type<ChangeCause>().notNull(),
  actorId: uuid('actor_id'),
  before: jsonb('before').$type<DeploymentConfig>(),
  after: jsonb('after').$type<DeploymentConfig>().notNull(),
  result: text('result').$type<HistoryResult>().notNull().default('applied'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
