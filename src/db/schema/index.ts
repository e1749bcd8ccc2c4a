// One file per area; every table is listed here so Drizzle knows it.
import { apiKeys } from './api-keys.js';
import { clusterSettings, clusters } from './clusters.js';
import { deployments } from './deployments.js';
import { inferenceLogs } from './inference-logs.js';
import { models } from './models.js';
import { optimizationPresets } from './optimization-presets.js';
import { policies } from './policies.js';
import { revokedSessions } from './sessions.js';
import { auditLogs, users } from './users.js';

export { apiKeys, auditLogs, clusterSettings, clusters, deployments, inferenceLogs, models, optimizationPresets, policies, revokedSessions, users };
export const schema = { users, auditLogs, policies, clusters, clusterSettings, optimizationPresets, models, deployments, apiKeys, inferenceLogs, revokedSessions };
export type Schema = typeof schema;
