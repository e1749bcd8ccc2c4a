import path from 'node:path';
import type { Config } from '../config/config.js';
import type { DatabaseHandle } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import { createLoopRegistry, type LoopRegistry } from '../lib/loop-registry.js';
import { createSecretBox } from '../lib/secret-box.js';
import { readOrCreateSecretFile } from '../lib/secret-file.js';
import { createClusterRegistry } from '../clusters/cluster-registry.js';
import { remoteDriverFactories } from './remote-drivers.js';
import { composeImageWarmer } from './compose-image-warmer.js';
import { registerClusterRoutes } from '../server/routes/cluster.routes.js';
import { registerModelRoutes } from '../server/routes/model.routes.js';
import { createHfClient } from '../services/models/hf-client.js';
import { createModelDownloads, createModelFiles } from '../services/models/model-download.js';
import { createModelRepo } from '../services/models/model-repo.js';
import { createModelService } from '../services/models/model-service.js';
import { createClusterRepo } from '../services/clusters/cluster-repo.js';
import { createClusterService } from '../services/clusters/cluster-service.js';
import { createApp } from '../server/app.js';
import { createRateLimiter } from '../gateway/rate-limit/index.js';
import { registerRateLimitRoutes } from '../server/routes/rate-limit.routes.js';
import { MAX_API_KEYS_PER_USER } from '../domain/api-key.js';
import { createCallerResolver } from '../gateway/auth/caller-resolver.js';
import { registerApiKeyRoutes } from '../server/routes/api-key.routes.js';
import { createApiKeyRepo } from '../services/api-keys/api-key-repo.js';
import { createApiKeyService } from '../services/api-keys/api-key-service.js';
import { createApiKeyUsageRecorder } from '../services/api-keys/api-key-usage.js';
import { createMetricsRegistry } from '../server/http-metrics.js';
import type { ZodApp } from '../server/routes/route-types.js';
import { createAuditRepo } from '../services/audit/audit-repo.js';
import { createAuditService } from '../services/audit/audit-service.js';
import { createLoginThrottle } from '../services/auth/login-throttle.js';
import { createTokenService } from '../services/auth/token-service.js';
import { createRevokedSessionRepo } from '../services/auth/revoked-session-repo.js';
import { createSessionRevocationService } from '../services/auth/session-revocation-service.js';
import { registerOptimizationPresetRoutes } from '../server/routes/optimization-preset.routes.js';
import { registerRuntimeRoutes } from '../server/routes/runtime.routes.js';
import { createOptimizationPresetRepo } from '../services/optimization-presets/optimization-preset-repo.js';
import { createOptimizationPresetService } from '../services/optimization-presets/optimization-preset-service.js';
import { createPolicyRepo } from '../services/policies/policy-repo.js';
import { createPolicyService } from '../services/policies/policy-service.js';
import { createFederationSpreadResolver } from '../services/deployments/federation-spread-resolver.js';
import { createPolicyReader } from '../services/deployments/policy-reader.js';
import { registerPolicyRoutes } from '../server/routes/policy.routes.js';
import { registerSecretRoutes } from '../server/routes/secret.routes.js';
import { createSecretRepo } from '../services/secrets/secret-repo.js';
import { createSecretService } from '../services/secrets/secret-service.js';
import { createUserRepo } from '../services/users/user-repo.js';
import { createUserService } from '../services/users/user-service.js';
import { readOrCreateHostIdentity } from '../clusters/local/host-identity.js';
import { createLocalDriver, type LocalDriver } from '../clusters/local/local-driver.js';
import { registerDeploymentRoutes } from '../server/routes/deployment.routes.js';
import { createDeploymentRepo } from '../services/deployments/deployment-repo.js';
import { createDeploymentService } from '../services/deployments/deployment-service.js';
import { createChangeRecorder } from '../services/deployments/change-recorder.js';
import { createConfigHistoryRepo } from '../services/deployments/config-history-repo.js';
import { createRolloutRepo } from '../services/deployments/rollout-repo.js';
import type { RolloutWatch } from '../services/deployments/rollout-watch.js';
import { composeSafeChange } from './compose-safe-change.js';
import { composeCosts } from './compose-costs.js';
import type { GpuUsageService } from '../services/costs/gpu-usage-service.js';
import { Agent } from 'undici';
import { createGateway } from '../gateway/proxy/gateway.js';
import { createGatewayMetrics } from '../gateway/proxy/gateway-metrics.js';
import { createRateSubjects } from '../gateway/proxy/rate-subjects.js';
import { createRouteSource } from '../gateway/proxy/route-source.js';
import { createRouteTable } from '../gateway/proxy/route-table.js';
import { composeMonitoring } from './compose-monitoring.js';
import { createDeploymentPlacement } from '../services/deployments/deployment-placement.js';
import { createReachableRows } from '../services/deployments/reachable-endpoints.js';
import { createRedisChangeChannel } from '../lib/redis-change-channel.js';
import { createInferenceLogRepo } from '../gateway/request-log/inference-log-repo.js';
import { createInferenceLogService } from '../gateway/request-log/inference-log-service.js';
import { createConfiguredInferenceLogWriter } from '../gateway/request-log/inference-log-setup.js';
import { isRuntimeId, RUNTIMES } from '../runtimes/index.js';
import { registerInferenceLogRoutes } from '../server/routes/inference-log.routes.js';
import { registerInferenceRoutes } from '../server/routes/inference.routes.js';
import { apiKeyLastUsed } from '../reconcilers/api-key-last-used.js';
import { auditRetention } from '../reconcilers/audit-retention.js';
import { clusterHealth } from '../reconcilers/cluster-health.js';
import { deploymentReconciler } from '../reconcilers/deployment-reconciler.js';
import { deploymentUnknownSweep } from '../reconcilers/deployment-unknown-sweep.js';
import { gatewayRoutes } from '../reconcilers/gateway-routes.js';
import { inferenceLogRetention } from '../reconcilers/inference-log-retention.js';
import { loginThrottlePrune } from '../reconcilers/login-throttle-prune.js';
import type { Reconciler } from '../reconcilers/reconciler.js';
import { registerReconcilers } from '../reconcilers/reconciler.js';
import { signedOutSessionsPurge } from '../reconcilers/signed-out-sessions-purge.js';
import { createLoopTracker } from '../reconcilers/loop-tracker.js';
import { createLeaderElector } from '../db/leader-elector.js';
import { alwaysLeader } from '../lib/leadership.js';
import { installLoopMetrics } from '../server/loop-metrics.js';
import { registerSystemRoutes } from '../server/routes/system.routes.js';
import { VERSION } from './version.js';

export interface ComposedServer {
  app: ZodApp;
  loops: LoopRegistry;
  /** The rollout monitor's pass, for tests that move its clock past the startup grace. */
  rolloutWatch: RolloutWatch;
  /** The gpu-usage loop's count, for tests that move its clock (`options.now`). */
  gpuUsage: GpuUsageService;
  /** Set on first start when the admin password was generated: show it once. */
  generatedAdminPassword: string | undefined;
  markShuttingDown(): void;
  /** Releases what the app holds beyond HTTP: cluster drivers' timers (workloads keep running). */
  close(): Promise<void>;
}

/** Wires services, loops and the HTTP app on an open, migrated database. Does not listen. */
export async function composeServer(config: Config, database: DatabaseHandle, logger: Logger, options: { now?: () => Date } = {}): Promise<ComposedServer> {
  const jwtSecret = config.jwtSecret ?? (await readOrCreateSecretFile(path.join(config.dataDir, 'jwt-secret')));
  // API keys: only their SHA-256 is stored; lastUsedAt is written in batches off the request path.
  const apiKeys = createApiKeyService({ repo: createApiKeyRepo(database.db) });
  // A deleted user's API keys go with them: announced like revocations (caches, per-key metrics).
  const users = createUserService({ repo: createUserRepo(database.db), onRemove: (userId) => apiKeys.ownerRemoval(userId) });
  const audit = createAuditService({ repo: createAuditRepo(database.db) });
  const tokens = createTokenService({ secret: jwtSecret, ttlSeconds: config.jwtTtlSeconds });
  const sessions = createSessionRevocationService({ repo: createRevokedSessionRepo(database.db) });
  const loginThrottle = createLoginThrottle({ maxFailures: config.loginMaxFailures, windowMs: config.loginWindowSeconds * 1000 });
  const initialAdmin = await users.ensureInitialAdmin(config.adminPassword);
  if (initialAdmin.created) logger.info({ username: 'admin' }, 'created the initial admin user');

  // Clusters: credentials sealed with HMAS_SECRET_KEY, or a key generated once in the data dir.
  const secretKey = config.secretKey ?? (await readOrCreateSecretFile(path.join(config.dataDir, 'secret-key')));
  // Replicas of the local cluster belong to the instance whose data directory holds them.
  const host = await readOrCreateHostIdentity(config.dataDir);
  const secretBox = createSecretBox(secretKey);
  const clusterLogger = logger.child({ component: 'clusters' });
  const clusterRepo = createClusterRepo(database.db);
  // The one registry of cluster kinds: connecting, the driver that runs a cluster's workloads,
  // placement capacity. The local driver is made below, once ownership of cluster local is known.
  const owned = { localDriver: undefined as LocalDriver | undefined };
  const registry = createClusterRegistry({
    nvidiaSmiCommand: config.nvidiaSmiCommand,
    logger: clusterLogger,
    hostId: host.id,
    localDriver: () => owned.localDriver,
    // Kinds reached over the network: one driver per stored cluster (src/main/remote-drivers.ts).
    drivers: remoteDriverFactories({
      resolveSecret: (name) => secrets.resolve(name),
      federationSpread: (deploymentId) => federationSpread(deploymentId),
      // A Karmada member registered in H-MAS too: a kubeconfig cluster of the member's name.
      memberDriver: async (member) => {
        const cluster = await clusters.get(member).catch(() => null);
        return cluster?.connection.kind === 'kubeconfig' ? registry.actingDriver(cluster) : null;
      },
      logger: clusterLogger,
    }),
    connectionOf: (cluster) => clusters.storedConnection(cluster),
  });
  const clusters = createClusterService({ host, repo: clusterRepo, connectors: registry, secretBox, logger: clusterLogger });
  const localCluster = await clusters.ensureLocalCluster(config.registerLocalCluster);
  if (localCluster.created) logger.info({ cluster: 'local', host }, 'registered this host as cluster local');
  else if (localCluster.cluster && !localCluster.owned) {
    logger.info({ cluster: 'local', ownerHost: localCluster.cluster.ownerHost }, 'cluster local belongs to another H-MAS instance: this one leaves its replicas alone');
  }

  // Background loops, declared in src/reconcilers/ (one file each) and registered at the end.
  const reconcilers: Reconciler[] = [
    auditRetention({ store: audit, retentionDays: config.auditRetentionDays, logger }),
    signedOutSessionsPurge({ sessions, logger }),
    loginThrottlePrune({ loginThrottle }),
  ];

  // Feature modules: each adds its services' routes here, and its loops to `reconcilers` above.
  const features: Array<(app: ZodApp) => void> = [];
  features.push((app) => registerClusterRoutes(app, { clusters }));
  // Remote clusters on the leader; cluster local on its owner (only it can look at its host).
  reconcilers.push(clusterHealth({ clusters }, 'shared'));
  if (localCluster.owned) reconcilers.push(clusterHealth({ clusters }, 'owned'));
  // Image warmer (compose-image-warmer.ts): a DaemonSet per kubeconfig cluster pulling the runtimes' images.
  const imageWarmer = composeImageWarmer({ database, clusterRepo, clusters, logger });
  features.push(...imageWarmer.features);
  reconcilers.push(...imageWarmer.reconcilers);
  const deploymentRepo = createDeploymentRepo(database.db);
  const rolloutRepo = createRolloutRepo(database.db);
  const configHistoryRepo = createConfigHistoryRepo(database.db);
  const policies = createPolicyService({
    repo: createPolicyRepo(database.db),
    usageChecks: [async (_kind, id) => (await deploymentRepo.usingPolicy(id)).map((name) => `deployment "${name}"`)],
  });
  features.push((app) => registerPolicyRoutes(app, { policies }));
  // Read by the federation driver when it applies a workload (see remote-drivers.ts).
  const federationSpread = createFederationSpreadResolver({ repo: deploymentRepo, policies: createPolicyReader(policies) });
  // Named secrets for deployment settings, sealed with the same key as cluster credentials.
  const secrets = createSecretService({ repo: createSecretRepo(database.db), secretBox });
  features.push((app) => registerSecretRoutes(app, { secrets }));
  const optimizationPresets = createOptimizationPresetService({ repo: createOptimizationPresetRepo(database.db), secrets });
  features.push((app) => registerRuntimeRoutes(app, { presets: optimizationPresets }));
  features.push((app) => registerOptimizationPresetRoutes(app, { presets: optimizationPresets }));
  const hf = createHfClient({ endpoint: config.hfEndpoint, token: config.hfToken });
  const models = createModelService({ repo: createModelRepo(database.db), hf });
  // GGUF files of Hub models, downloaded into <data dir>/models for runtimes that load a file.
  const modelDownloads = createModelDownloads({
    dataDir: config.dataDir,
    hf,
    logger: logger.child({ component: 'model-downloads' }),
    idleTimeoutMs: config.modelDownloadIdleTimeoutMs,
  });
  const modelFiles = createModelFiles({ models, downloads: modelDownloads });
  features.push((app) => registerModelRoutes(app, { models, files: modelFiles }));

  // Deployments: the local host driver runs replicas as processes that outlive the server — only
  // on the instance that owns cluster local; another would start (or adopt) copies of them.
  const localDriver = localCluster.owned
    ? createLocalDriver({
        dataDir: config.dataDir,
        logger: logger.child({ component: 'local-driver' }),
        env: process.env,
        binaryPaths: config.runtimeBinaries,
        nvidiaSmiCommand: config.nvidiaSmiCommand,
        runtimeUser: config.runtimeUser,
        runtimeEnv: (runtime) => RUNTIMES[runtime].env,
        resolveSecret: (name) => secrets.resolve(name),
      })
    : undefined;
  await localDriver?.start();
  owned.localDriver = localDriver;
  // What rendering and placing a deployment needs: shared by the deployment service and failover.
  const placementDeps = { repo: deploymentRepo, models, clusters, policies, presets: optimizationPresets, drivers: registry, modelFiles };
  const deployments = createDeploymentService({
    ...placementDeps,
    secrets,
    // Config history and rollouts: every change of settings is recorded; each restart starts a rollout.
    changes: createChangeRecorder({ rollouts: rolloutRepo, history: configHistoryRepo }),
    logger: logger.child({ component: 'deployments' }),
  });
  features.push((app) => registerDeploymentRoutes(app, { deployments }));
  // Deployments on remote clusters are reconciled by the leader; those on cluster local by its
  // owner, leader or not — no other instance may touch its replicas.
  reconcilers.push(deploymentReconciler({ deployments, intervalMs: config.reconcileIntervalMs }, 'shared'), deploymentUnknownSweep({ deployments }));
  if (localCluster.owned) reconcilers.push(deploymentReconciler({ deployments, intervalMs: config.reconcileIntervalMs }, 'owned'));
  // Loops that need the leader run on one instance: elected through PostgreSQL when instances
  // share it; alone on the embedded database, this instance always leads.
  const leader =
    database.kind === 'postgres' && database.url
      ? createLeaderElector({ url: database.url, intervalMs: config.leaderElectionIntervalMs, logger })
      : alwaysLeader();
  // Rollouts, events history and failover (compose-safe-change.ts).
  const safeChange = composeSafeChange({
    config,
    database,
    logger,
    rollouts: { rollouts: rolloutRepo, history: configHistoryRepo, deployments, records: deploymentRepo, clusters, drivers: registry, audit },
    placement: placementDeps,
    failover: { leadership: leader, announce: (id) => deployments.announce(id), clusters },
    ownsLocalCluster: localCluster.owned,
  });
  features.push(...safeChange.features);
  reconcilers.push(...safeChange.reconcilers);
  const { rolloutWatch } = safeChange;
  // Costs: GPU prices, GPU time per deployment (a loop), cost reports (compose-costs.ts).
  const costs = composeCosts({ config, database, logger, deployments: deploymentRepo, models, clusters, policies, ...(options.now ? { now: options.now } : {}) });
  features.push(...costs.features);
  reconcilers.push(...costs.reconcilers);

  // gateway: rateLimiter — in memory for one instance, in Redis (REDIS_URL) when several share the load.
  const rateLimiter = createRateLimiter({ redisUrl: config.redisUrl, keyPrefix: config.redisKeyPrefix, logger: logger.child({ component: 'rate-limit' }) });
  features.push((app) =>
    registerRateLimitRoutes(app, {
      limiter: rateLimiter,
      users,
      defaults: config.rateLimitDefaults,
      // The keys that can make requests; the route has already checked who may see whose.
      listKeysOf: async (userId) =>
        (await apiKeys.list({ userId, username: '', role: 'admin' }, { userId, limit: MAX_API_KEYS_PER_USER, offset: 0 })).items.filter((key) => key.status === 'active'),
    }),
  );

  features.push((app) => registerApiKeyRoutes(app, { apiKeys }));
  const apiKeyUsage = createApiKeyUsageRecorder({ touch: (uses) => apiKeys.touchLastUsed(uses) });
  reconcilers.push(apiKeyLastUsed({ recorder: apiKeyUsage, intervalMs: 5_000 }));
  const metricsRegistry = createMetricsRegistry();
  const gatewayMetrics = createGatewayMetrics(metricsRegistry);
  // gateway: callerResolver — API key or JWT → GatewayCaller; key changes reach every instance through Redis (REDIS_URL).
  // A key revoked or changed anywhere loses its per-key series here (bounded label set).
  const callerResolver = createCallerResolver({
    tokens,
    users,
    sessions,
    apiKeys,
    usage: apiKeyUsage,
    logger,
    redisUrl: config.redisUrl,
    redisKeyPrefix: config.redisKeyPrefix,
    onInvalidated: (keyId) => gatewayMetrics.forgetKey(keyId),
  });

  // gateway: proxy, routing, usage, request log — resolve caller → authorize → route → rate limit → proxy → record.
  const inferenceLogRepo = createInferenceLogRepo(database.db);
  const inferenceLogs = createInferenceLogService({ repo: inferenceLogRepo });
  // Not a loop: it keeps flushing while HTTP drains, and close() drains it before the database closes.
  // Its spool (in the data directory) keeps what a crash would lose; start() writes what one left.
  const inferenceLogWriter = await createConfiguredInferenceLogWriter({
    settings: config.inferenceLog,
    dataDir: config.dataDir,
    insert: (lines) => inferenceLogRepo.insertLines(lines),
    registry: metricsRegistry,
    logger: logger.child({ component: 'inference-log' }),
    onDrop: () => gatewayMetrics.logDropped(),
  });
  inferenceLogWriter.start();
  reconcilers.push(inferenceLogRetention({ store: inferenceLogs, retentionDays: config.inferenceLog.retentionDays, logger }));
  const routeTable = createRouteTable({
    // Live endpoints from every driver that knows them in memory (ClusterDriver.upstreams).
    load: createRouteSource({ deployments: createReachableRows({ deployments: deploymentRepo, host }), live: () => registry.byCluster(localCluster.owned ? localCluster.cluster?.id : undefined) }),
    runtime: (id) => (isRuntimeId(id) ? RUNTIMES[id] : undefined),
    logger: logger.child({ component: 'gateway' }),
  });
  const reloadRoutes = async (trigger: 'loop' | 'local' | 'remote') => {
    await routeTable.refresh();
    gatewayMetrics.routesReloaded(trigger);
  };
  // Every instance routes for itself: this loop runs on every instance, not only a leader.
  reconcilers.push(gatewayRoutes({ reload: () => reloadRoutes('loop') }));
  // A pause, resume or delete reaches this instance's routes at once, and the other instances'
  // through Redis (REDIS_URL) — without it, their loop within a second.
  const reloadAfterRemoteChange = () => void reloadRoutes('remote').catch((error: unknown) => logger.warn({ err: error }, 'gateway route reload failed'));
  const deploymentChanges = config.redisUrl
    ? createRedisChangeChannel({
        url: config.redisUrl,
        channel: `${config.redisKeyPrefix}deployments:changed`,
        subject: 'deployment',
        fallback: 'within a second (the route loop)',
        logger: logger.child({ component: 'gateway' }),
        onMessage: reloadAfterRemoteChange,
        onResync: reloadAfterRemoteChange,
      })
    : undefined;
  deployments.onChange(async (deploymentId) => {
    deploymentChanges?.publish(deploymentId);
    await reloadRoutes('local');
  });
  const upstreamAgent = new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connect: { timeout: 5_000 } });
  const gateway = createGateway({
    callers: callerResolver,
    rateLimiter,
    rateLimitFailureMode: config.rateLimitFailureMode,
    subjects: createRateSubjects({ users, defaults: config.rateLimitDefaults }),
    routes: routeTable,
    dispatcher: upstreamAgent,
    log: inferenceLogWriter,
    metrics: gatewayMetrics,
    timeoutMs: config.gatewayTimeoutMs,
  });
  // Prompts can be long: the gateway takes bodies up to 16 MiB (or the API's limit, if larger).
  features.push((app) => registerInferenceRoutes(app, { gateway, bodyLimitBytes: Math.max(config.bodyLimitBytes, 16 * 1024 * 1024) }));
  features.push((app) => registerInferenceLogRoutes(app, { inferenceLogs }));
  // Monitoring (compose-monitoring.ts): service discovery, deployment snapshots and history, GPU metrics.
  features.push(...composeMonitoring({ config, deployments: deploymentRepo, clusters, capacity: createDeploymentPlacement(placementDeps).capacity, drivers: registry, routes: routeTable, apiKeys, registry: metricsRegistry, logger }).features);

  const loops = createLoopRegistry({ leader });
  const loopTracker = createLoopTracker(leader);
  registerReconcilers(loops, reconcilers, logger, { leadership: leader, tracker: loopTracker });
  installLoopMetrics(metricsRegistry, { loops: () => loopTracker.loops(), leadership: leader });
  features.push((app) => registerSystemRoutes(app, { loops: loopTracker }));

  let shuttingDown = false;
  const app = await createApp({
    logger,
    database,
    users,
    audit,
    tokens,
    sessions,
    loginThrottle,
    apiKeys: (key, scope) => callerResolver.resolveApiKey(key, scope),
    metrics: metricsRegistry,
    options: { bodyLimitBytes: config.bodyLimitBytes, cookieSecure: config.cookieSecure, httpTimeouts: config.http, webDir: config.webDir, version: VERSION },
    isShuttingDown: () => shuttingDown,
    features,
  });
  return {
    app,
    loops,
    rolloutWatch,
    gpuUsage: costs.gpuUsage,
    generatedAdminPassword: initialAdmin.generatedPassword,
    markShuttingDown: () => {
      shuttingDown = true;
    },
    close: async () => {
      // HTTP has drained: every answered request is in the writer's buffer; write it while the database is open.
      await inferenceLogWriter.drain();
      await Promise.all([upstreamAgent.destroy(), ...registry.all().map((driver) => driver.close()), modelDownloads.close(), rateLimiter.close(), callerResolver.close(), deploymentChanges?.close()]);
      // Uses noted while HTTP drained, after the loops stopped.
      await apiKeyUsage.flush().catch((error: unknown) => logger.warn({ err: error }, 'could not write API key last-used times'));
    },
  };
}
