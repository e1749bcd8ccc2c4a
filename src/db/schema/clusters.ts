import { boolean, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { KubernetesWorkloadSettings } from '../../domain/cluster.js';

// Mirrors ../migrations/0003_clusters.sql and 0011_cluster_owner_host.sql.

/** Non-secret connection settings, kept in `clusters.connection`. */
export interface StoredConnectionSettings {
  server?: string;
  context?: string;
  namespace?: string;
  memberCluster?: string;
  insecureSkipTlsVerify?: boolean;
  /** The Kubernetes driver's settings, as validated (`kubernetesWorkloadSettingsSchema`). */
  workloads?: KubernetesWorkloadSettings;
}

export const clusters = pgTable('clusters', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  displayName: text('display_name').notNull(),
  type: text('type', { enum: ['HP', 'GP'] }).notNull(),
  scheduler: text('scheduler', { enum: ['default', 'koordinator'] }).notNull(),
  labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
  imagePrecache: boolean('image_precache').notNull().default(true),
  connectionKind: text('connection_kind', { enum: ['local', 'kubeconfig', 'federation', 'agent'] }).notNull(),
  connection: jsonb('connection').$type<StoredConnectionSettings>().notNull().default({}),
  credentialsSealed: text('credentials_sealed'),
  agentTokenSha256: text('agent_token_sha256'),
  connectionVersion: integer('connection_version').notNull().default(1),
  readinessState: text('readiness_state', { enum: ['ready', 'notReady', 'unknown'] }).notNull().default('unknown'),
  readinessMessage: text('readiness_message').notNull().default(''),
  readinessCheckedAt: timestamp('readiness_checked_at', { withTimezone: true }),
  // The domain's ConnectionTest and Inventory shapes; the cluster service reads them back.
  lastTest: jsonb('last_test').$type<Record<string, unknown>>(),
  inventory: jsonb('inventory').$type<Record<string, unknown>>(),
  // The local cluster's owner: the instance whose data directory holds its replicas.
  ownerHostId: text('owner_host_id'),
  ownerHostname: text('owner_hostname'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const clusterSettings = pgTable('cluster_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<unknown>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
