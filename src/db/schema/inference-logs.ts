import { bigint, boolean, doublePrecision, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** One request answered by the inference gateway (migrations 0009, 0011). */
export const inferenceLogs = pgTable('inference_logs', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  requestId: text('request_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  userId: text('user_id'),
  username: text('username'),
  authMethod: text('auth_method', { enum: ['api_key', 'jwt'] }),
  apiKeyId: text('api_key_id'),
  deploymentId: text('deployment_id'),
  deploymentName: text('deployment_name'),
  modelName: text('model_name'),
  clusterName: text('cluster_name'),
  method: text('method').notNull(),
  path: text('path').notNull(),
  statusCode: integer('status_code').notNull(),
  streaming: boolean('streaming').notNull().default(false),
  ttfbMs: doublePrecision('ttfb_ms'),
  durationMs: doublePrecision('duration_ms').notNull(),
  promptTokens: integer('prompt_tokens'),
  completionTokens: integer('completion_tokens'),
  errorMessage: text('error_message'),
  /** Made by the writer; replays of the same entry are stored once. NULL on rows from before (unique index in the migration). */
  entryId: uuid('entry_id'),
});
