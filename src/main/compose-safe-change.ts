import type { Config } from '../config/config.js';
import type { DatabaseHandle } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import { deploymentEventRetention } from '../reconcilers/deployment-event-retention.js';
import { deploymentFailover } from '../reconcilers/deployment-failover.js';
import { eventCopy } from '../reconcilers/event-copy.js';
import type { Reconciler } from '../reconcilers/reconciler.js';
import { rolloutMonitor } from '../reconcilers/rollout-monitor.js';
import { RUNTIMES } from '../runtimes/index.js';
import { registerDeploymentEventRoutes } from '../server/routes/deployment-event.routes.js';
import { registerDeploymentFailoverRoutes } from '../server/routes/deployment-failover.routes.js';
import type { ZodApp } from '../server/routes/route-types.js';
import { registerRolloutRoutes } from '../server/routes/rollout.routes.js';
import { createDeploymentEventRepo } from '../services/deployment-events/deployment-event-repo.js';
import { createDeploymentEventService } from '../services/deployment-events/deployment-event-service.js';
import { createEventCopy } from '../services/deployment-events/event-copy.js';
import { createDeploymentFailover, type DeploymentFailoverDeps } from '../services/deployments/deployment-failover.js';
import { createFailoverHistoryRecorder } from '../services/deployments/failover-history.js';
import { createFailoverRepo } from '../services/deployments/failover-repo.js';
import type { RolloutServiceDeps } from '../services/deployments/rollout-deps.js';
import { createRolloutService } from '../services/deployments/rollout-service.js';
import { createRolloutWatch, type RolloutWatch } from '../services/deployments/rollout-watch.js';

export interface SafeChangeDeps {
  config: Pick<Config, 'rolloutGraceSeconds' | 'events' | 'failoverIntervalMs'>;
  database: DatabaseHandle;
  logger: Logger;
  /** What following rollouts needs (the deployment service's update path, the repos, the audit log). */
  rollouts: Omit<RolloutServiceDeps, 'grace' | 'logger'>;
  /** What re-placing a deployment needs (the deployment service's own deps). */
  placement: Omit<DeploymentFailoverDeps, 'failovers' | 'audit' | 'logger' | 'recordFailoverInConfigHistory' | 'leadership' | 'announce'>;
  /** Failover: who leads (moves are held per leadership term), how moves reach the gateways, and when a cluster answers again. */
  failover: {
    leadership: DeploymentFailoverDeps['leadership'];
    announce: NonNullable<DeploymentFailoverDeps['announce']>;
    clusters: { onReady(listener: (clusterId: string) => Promise<void>): () => void };
  };
  /** This instance owns cluster local: it copies that cluster's events (only it has them). */
  ownsLocalCluster: boolean;
}

/**
 * Safe change, wired: rollouts followed and rolled back (`rollout-monitor`), the clusters' events
 * copied into the database and kept (`event-copy`, retention), failover policies carried out
 * (`deployment-failover`) — their routes and loops, for `compose.ts` to add.
 */
export function composeSafeChange(deps: SafeChangeDeps): { features: Array<(app: ZodApp) => void>; reconcilers: Reconciler[]; rolloutWatch: RolloutWatch } {
  const { config, database, logger } = deps;
  const features: Array<(app: ZodApp) => void> = [];
  const reconcilers: Reconciler[] = [];

  // Events history: each cluster's events copied into the database (one read per cluster), kept HMAS_EVENT_RETENTION_DAYS.
  const records = deps.placement.repo;
  const deploymentEvents = createDeploymentEventService({ repo: createDeploymentEventRepo(database.db), deployments: records });
  features.push((app) => registerDeploymentEventRoutes(app, { events: deploymentEvents }));
  const eventCopier = createEventCopy({ deployments: records, clusters: deps.placement.clusters, drivers: deps.placement.drivers, events: deploymentEvents, logger: logger.child({ component: 'event-copy' }) });
  reconcilers.push(
    eventCopy({ copier: eventCopier, intervalMs: config.events.copyIntervalMs }, 'shared'),
    deploymentEventRetention({ store: deploymentEvents, retentionDays: config.events.retentionDays, logger }),
  );
  // Cluster local's events: only its owner has them (leader or not).
  if (deps.ownsLocalCluster) reconcilers.push(eventCopy({ copier: eventCopier, intervalMs: config.events.copyIntervalMs }, 'owned'));

  const rolloutDeps: RolloutServiceDeps = {
    ...deps.rollouts,
    events: deploymentEvents,
    grace: {
      byStrategy: { Recreate: config.rolloutGraceSeconds.Recreate * 1000, RollingUpdate: config.rolloutGraceSeconds.RollingUpdate * 1000 },
      byRuntime: Object.fromEntries(Object.values(RUNTIMES).flatMap((runtime) => (runtime.startupGraceSeconds ? [[runtime.id, runtime.startupGraceSeconds * 1000]] : []))),
    },
    logger: logger.child({ component: 'rollouts' }),
  };
  features.push((app) => registerRolloutRoutes(app, { rollouts: createRolloutService(rolloutDeps) }));
  const rolloutWatch = createRolloutWatch(rolloutDeps);
  reconcilers.push(rolloutMonitor({ rollouts: rolloutWatch }));

  // Failover policies: deployments on a lost cluster move where their placement strategy allows.
  const failover = createDeploymentFailover({
    ...deps.placement,
    failovers: createFailoverRepo(database.db),
    audit: deps.rollouts.audit,
    logger: logger.child({ component: 'failover' }),
    recordFailoverInConfigHistory: createFailoverHistoryRecorder({ repo: records, history: deps.rollouts.history }),
    leadership: deps.failover.leadership,
    announce: deps.failover.announce,
  });
  // A cluster that answers again: the copies moves left there are scaled to 0 and removed right
  // then, not at the next pass (on whichever instance checked it: the leader, or cluster local's owner).
  deps.failover.clusters.onReady((clusterId) => failover.cleanupReturned(clusterId));
  features.push((app) => registerDeploymentFailoverRoutes(app, { failover }));
  reconcilers.push(deploymentFailover({ failover, intervalMs: config.failoverIntervalMs }));

  return { features, reconcilers, rolloutWatch };
}
