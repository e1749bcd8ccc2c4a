/**
 * Deployment statuses and how they change: a pure state machine shared by the reconciler,
 * the API and the UI. The driver reports what it sees; `deriveStatus` turns that into a status;
 * `transition` says which moves an operator's action may make.
 */

export const DEPLOYMENT_STATUSES = ['pending', 'deploying', 'running', 'paused', 'failed', 'unknown', 'deleting'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** Where an answer's status came from: asked of the cluster just now, or the last one saved. */
export const STATUS_SOURCES = ['live', 'cached'] as const;
export type StatusSource = (typeof STATUS_SOURCES)[number];

/** Reasons a workload cannot come up on its own; they make a deployment `failed`. */
export const FAILURE_REASONS = ['CrashLoopBackOff', 'OOMKilled', 'ProgressDeadlineExceeded', 'BinaryNotFound', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerError'] as const;

export interface WorkloadObservation {
  /** Replicas asked for (0 while paused). */
  desiredReplicas: number;
  readyReplicas: number;
  /** Reasons reported by replicas that are not ready (CrashLoopBackOff, OOMKilled, …). */
  reasons: string[];
  /** The workload exists on the cluster at all. */
  exists: boolean;
}

/** What the cluster shows, read as a status. `paused` is the operator's intent, kept in the database. */
export function deriveStatus(observation: WorkloadObservation, intent: { paused: boolean; deleting: boolean }): DeploymentStatus {
  if (intent.deleting) return 'deleting';
  if (intent.paused) return 'paused';
  if (!observation.exists) return 'pending';
  if (observation.desiredReplicas > 0 && observation.readyReplicas >= observation.desiredReplicas) return 'running';
  if (observation.reasons.some((reason) => (FAILURE_REASONS as readonly string[]).includes(reason))) return 'failed';
  return 'deploying';
}

export const DEPLOYMENT_ACTIONS = ['pause', 'resume', 'update', 'delete', 'rollback'] as const;
export type DeploymentAction = (typeof DEPLOYMENT_ACTIONS)[number];

/** Which actions each status allows, and why not where it does not. */
const ALLOWED: Record<DeploymentAction, { from: readonly DeploymentStatus[]; refusal: string; code: string }> = {
  pause: { from: ['pending', 'deploying', 'running', 'failed', 'unknown'], refusal: 'It is already paused or being deleted.', code: 'DEPLOYMENT_NOT_PAUSABLE' },
  resume: { from: ['paused'], refusal: 'Only a paused deployment can be resumed.', code: 'DEPLOYMENT_NOT_PAUSED' },
  update: { from: ['pending', 'deploying', 'running', 'failed', 'unknown'], refusal: 'Resume it first: a paused deployment keeps its settings until it runs again.', code: 'DEPLOYMENT_PAUSED' },
  rollback: { from: ['pending', 'deploying', 'running', 'failed', 'unknown'], refusal: 'Resume it first: a paused deployment keeps its settings until it runs again.', code: 'DEPLOYMENT_PAUSED' },
  delete: { from: ['pending', 'deploying', 'running', 'paused', 'failed', 'unknown'], refusal: 'It is already being deleted.', code: 'DEPLOYMENT_DELETING' },
};

export type ActionCheck = { allowed: true } | { allowed: false; code: string; message: string };

export function checkAction(status: DeploymentStatus, action: DeploymentAction): ActionCheck {
  const rule = ALLOWED[action];
  if (rule.from.includes(status)) return { allowed: true };
  // An update on a paused deployment is the documented 400 DEPLOYMENT_PAUSED; the others are state conflicts.
  const code = status === 'deleting' && action !== 'delete' ? 'DEPLOYMENT_DELETING' : rule.code;
  const message = status === 'deleting' && action !== 'delete' ? 'It is being deleted.' : rule.refusal;
  return { allowed: false, code, message: `Cannot ${action} a ${status} deployment. ${message}` };
}

/** The status an action leads to at once (the reconciler refines it from what it observes). */
export function statusAfter(action: DeploymentAction, current: DeploymentStatus): DeploymentStatus {
  switch (action) {
    case 'pause':
      return 'paused';
    case 'resume':
    case 'update':
    case 'rollback':
      return 'deploying';
    case 'delete':
      return 'deleting';
    default:
      return current;
  }
}

/** After this many failed calls in a row, a deployment's last known status becomes `unknown`. */
export const UNKNOWN_AFTER_FAILURES = 3;

/** What a failed observation does to the status: keep it for a while, then admit we do not know. */
export function statusAfterFailedObservation(current: DeploymentStatus, consecutiveFailures: number): DeploymentStatus {
  if (current === 'paused' || current === 'deleting') return current;
  return consecutiveFailures >= UNKNOWN_AFTER_FAILURES ? 'unknown' : current;
}
