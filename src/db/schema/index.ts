// One file per area; every table is listed here so Drizzle knows it.
import { apiKeys } from './api-keys.js';
import { clusterSettings, clusters } from './clusters.js';
import { deploymentConfigHistory, deploymentRollouts } from './deployment-rollouts.js';
import { deploymentEvents } from './deployment-events.js';
import { deploymentFailovers } from './deployment-failovers.js';
import { deployments } from './deployments.js';
import { gpuPrices, gpuUsage, gpuUsageSamples } from './gpu-costs.js';
import { imageWarmerStates } from './image-warmer-states.js';
import { inferenceLogs } from './inference-logs.js';
import { models } from './models.js';
import { optimizationPresets } from './optimization-presets.js';
import { policies } from './policies.js';
import { secrets } from './secrets.js';
import { revokedSessions } from './sessions.js';
import { auditLogs, users } from './users.js';

export { apiKeys, auditLogs, clusterSettings, clusters, deploymentConfigHistory, deploymentEvents, deploymentFailovers, deploymentRollouts, deployments, gpuPrices, gpuUsage, gpuUsageSamples, imageWarmerStates, inferenceLogs, models, optimizationPresets, policies, revokedSessions, secrets, users };
export const schema = { users, auditLogs, policies, clusters, clusterSettings, optimizationPresets, models, deployments, deploymentRollouts, deploymentConfigHistory, deploymentEvents, deploymentFailovers, imageWarmerStates, apiKeys, inferenceLogs, revokedSessions, secrets, gpuPrices, gpuUsage, gpuUsageSamples };
export type Schema = typeof schema;
