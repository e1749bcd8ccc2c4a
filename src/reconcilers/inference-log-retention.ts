import type { Reconciler } from './reconciler.js';
import { retention, type RetentionDeps } from './retention.js';

/** Hourly: deletes inference log entries older than the request log's retention. */
export const inferenceLogRetention = (deps: RetentionDeps): Reconciler =>
  retention({ name: 'inference-log-retention', touches: 'inference_logs (deletes old rows)', what: 'inference log entries' }, deps);
