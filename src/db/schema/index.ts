// One file per area; every table is listed here so Drizzle knows it.
import { clusterSettings, clusters } from './clusters.js';
import { deployments } from './deployments.js';
import { models } from './models.js';
import { optimizationPresets } from './optimization-presets.js';
import { policies } from './policies.js';
import { auditLogs, users } from './users.js';

export { auditLogs, clusterSettings, clusters, deployments, models, optimizationPresets, policies, users };
export const schema = { users, auditLogs, policies, clusters, clusterSettings, optimizationPresets, models, deployments };
export type Schema = typeof schema;
