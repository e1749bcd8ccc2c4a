import path from 'node:path';
import type { Config } from '../config/config.js';
import type { DatabaseHandle } from '../db/client.js';
import { createIntervalLoop } from '../lib/interval-loop.js';
import type { Logger } from '../lib/logger.js';
import { createLoopRegistry, type LoopRegistry } from '../lib/loop-registry.js';
import { createSecretBox } from '../lib/secret-box.js';
import { readOrCreateSecretFile } from '../lib/secret-file.js';
import { createConnectorRegistry } from '../clusters/connectors.js';
import { registerClusterRoutes } from '../server/routes/cluster.routes.js';
import { registerModelRoutes } from '../server/routes/model.routes.js';
import { createHfClient } from '../services/models/hf-client.js';
import { createModelRepo } from '../services/models/model-repo.js';
import { createModelService } from '../services/models/model-service.js';
import { createClusterRepo } from '../services/clusters/cluster-repo.js';
import { createClusterService } from '../services/clusters/cluster-service.js';
import { createApp } from '../server/app.js';
import { createMetricsRegistry } from '../server/http-metrics.js';
import type { ZodApp } from '../server/routes/route-types.js';
import { createAuditRepo } from '../services/audit/audit-repo.js';
import { createAuditService } from '../services/audit/audit-service.js';
import { createLoginThrottle } from '../services/auth/login-throttle.js';
import { createTokenService } from '../services/auth/token-service.js';
import { registerOptimizationPresetRoutes } from '../server/routes/optimization-preset.routes.js';
import { registerRuntimeRoutes } from '../server/routes/runtime.routes.js';
import { createOptimizationPresetRepo } from '../services/optimization-presets/optimization-preset-repo.js';
import { createOptimizationPresetService } from '../services/optimization-presets/optimization-preset-service.js';
import { createPolicyRepo } from '../services/policies/policy-repo.js';
import { createPolicyService } from '../services/policies/policy-service.js';
import { registerPolicyRoutes } from '../server/routes/policy.routes.js';
import { createUserRepo } from '../services/users/user-repo.js';
import { createUserService } from '../services/users/user-service.js';
import { createLocalDriver } from '../clusters/local/local-driver.js';
import { registerDeploymentRoutes } from '../server/routes/deployment.routes.js';
import { createDeploymentRepo } from '../services/deployments/deployment-repo.js';
import { createDeploymentService } from '../services/deployments/deployment-service.js';
import { createDriverRegistry } from '../services/deployments/driver-registry.js';
import { VERSION } from './version.js';

export interface ComposedServer {
  app: ZodApp;
  loops: LoopRegistry;
  /** Set on first start when the admin password was generated: show it once. */
  generatedAdminPassword: string | undefined;
  markShuttingDown(): void;
  /** Releases what the app holds beyond HTTP: cluster drivers' timers (workloads keep running). */
  close(): Promise<void>;
}

/** Wires services, loops and the HTTP app on an open, migrated database. Does not listen. */
export async function composeServer(config: Config, database: DatabaseHandle, logger: Logger): Promise<ComposedServer> {
  const jwtSecret = config.jwtSecret ?? (await readOrCreateSecretFile(path.join(config.dataDir, 'jwt-secret')));
  const users = createUserService({ repo: createUserRepo(database.db) });
  const audit = createAuditService({ repo: createAuditRepo(database.db) });
  const tokens = createTokenService({ secret: jwtSecret, ttlSeconds: config.jwtTtlSeconds });
  const loginThrottle = createLoginThrottle({ maxFailures: config.loginMaxFailures, windowMs: config.loginWindowSeconds * 1000 });
  const initialAdmin = await users.ensureInitialAdmin(config.adminPassword);
  if (initialAdmin.created) logger.info({ username: 'admin' }, 'created the initial admin user');

  // Clusters: credentials sealed with HMAS_SECRET_KEY, or a key generated once in the data dir.
  const secretKey = config.secretKey ?? (await readOrCreateSecretFile(path.join(config.dataDir, 'secret-key')));
  const clusters = createClusterService({
    repo: createClusterRepo(database.db),
    connectors: createConnectorRegistry({ nvidiaSmiCommand: config.nvidiaSmiCommand }),
    secretBox: createSecretBox(secretKey),
    logger: logger.child({ component: 'clusters' }),
  });
  const localCluster = await clusters.ensureLocalCluster(config.registerLocalCluster);
  if (localCluster.created) logger.info({ cluster: 'local' }, 'registered this host as cluster local');

  const loops = createLoopRegistry();
  loops.add(
    createIntervalLoop({
      name: 'audit-retention',
      intervalMs: 3600_000,
      runImmediately: true,
      logger,
      tick: async () => {
        const deleted = await audit.purgeOlderThan(config.auditRetentionDays);
        if (deleted > 0) logger.info({ deleted, retentionDays: config.auditRetentionDays }, 'deleted old audit log entries');
      },
    }),
  );
  loops.add(createIntervalLoop({ name: 'login-throttle-prune', intervalMs: 60_000, logger, tick: async () => void loginThrottle.prune() }));

  // Feature modules: each adds its services' routes here, and its loops to `loops` above.
  const features: Array<(app: ZodApp) => void> = [];
  features.push((app) => registerClusterRoutes(app, { clusters }));
  loops.add(createIntervalLoop({ name: 'cluster-health', intervalMs: 60_000, logger, tick: (signal) => clusters.refreshAll(signal) }));
  const deploymentRepo = createDeploymentRepo(database.db);
  const policies = createPolicyService({
    repo: createPolicyRepo(database.db),
    usageChecks: [async (_kind, id) => (await deploymentRepo.usingPolicy(id)).map((name) => `deployment "${name}"`)],
  });
  features.push((app) => registerPolicyRoutes(app, { policies }));
  const optimizationPresets = createOptimizationPresetService({ repo: createOptimizationPresetRepo(database.db) });
  features.push((app) => registerRuntimeRoutes(app, { presets: optimizationPresets }));
  features.push((app) => registerOptimizationPresetRoutes(app, { presets: optimizationPresets }));
  const models = createModelService({
    repo: createModelRepo(database.db),
    hf: createHfClient({ endpoint: config.hfEndpoint, token: config.hfToken }),
  });
  features.push((app) => registerModelRoutes(app, { models }));

  // Deployments: the local host driver runs replicas as processes that outlive the server.
  const localDriver = createLocalDriver({
    dataDir: config.dataDir,
    logger: logger.child({ component: 'local-driver' }),
    env: process.env,
    binaryPaths: config.runtimeBinaries,
    nvidiaSmiCommand: config.nvidiaSmiCommand,
  });
  await localDriver.start();
  const drivers = createDriverRegistry({ local: localDriver });
  const deployments = createDeploymentService({
    repo: deploymentRepo,
    models,
    clusters,
    policies,
    presets: optimizationPresets,
    drivers,
    logger: logger.child({ component: 'deployments' }),
  });
  features.push((app) => registerDeploymentRoutes(app, { deployments }));
  loops.add(createIntervalLoop({ name: 'deployment-reconciler', intervalMs: config.reconcileIntervalMs, logger, tick: (signal) => deployments.reconcile(signal) }));
  loops.add(createIntervalLoop({ name: 'deployment-unknown-sweep', intervalMs: 60_000, logger, tick: async () => void (await deployments.markNotReadyClusters()) }));

  let shuttingDown = false;
  const app = await createApp({
    logger,
    database,
    users,
    audit,
    tokens,
    loginThrottle,
    metrics: createMetricsRegistry(),
    options: { bodyLimitBytes: config.bodyLimitBytes, cookieSecure: config.cookieSecure, webDir: config.webDir, version: VERSION },
    isShuttingDown: () => shuttingDown,
    features,
  });
  return {
    app,
    loops,
    generatedAdminPassword: initialAdmin.generatedPassword,
    markShuttingDown: () => {
      shuttingDown = true;
    },
    close: async () => {
      await Promise.all(drivers.all().map((driver) => driver.close()));
    },
  };
}
