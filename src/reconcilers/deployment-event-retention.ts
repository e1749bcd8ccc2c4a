import type { Reconciler } from './reconciler.js';
import { retention, type RetentionDeps } from './retention.js';

/** Hourly: deletes deployment events last seen more than HMAS_EVENT_RETENTION_DAYS ago, in batches. */
export const deploymentEventRetention = (deps: RetentionDeps): Reconciler =>
  retention({ name: 'deployment-event-retention', touches: 'deployment_events (deletes old rows)', what: 'deployment events' }, deps);
