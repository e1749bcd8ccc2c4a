import type { Deployment, DeploymentStatus } from '../../api/types';
import type { BadgeTone } from '../../components/Badge';

export { DEPLOYMENT_STATUSES } from '../../../../domain/deployment-status';

/** Green running; amber while not serving but not broken; red failed; grey while being deleted. */
export const STATUS_TONES: Record<DeploymentStatus, BadgeTone> = {
  running: 'ok',
  deploying: 'warning',
  pending: 'warning',
  paused: 'warning',
  unknown: 'warning',
  failed: 'error',
  deleting: 'neutral',
};

/** The tooltip and banner of a status read from the database because the cluster did not answer. */
export const CACHED_NOTE = 'last saved state — the cluster did not answer';

/** Base URL of the first ready replica's OpenAI API, or null. */
export const primaryEndpoint = (deployment: Deployment): string | null => deployment.endpoints[0] ?? null;

/** "1/2": ready of asked-for replicas (paused: "0/2 (paused)" reads as the intent). */
export const replicaSummary = (deployment: Deployment): string => `${deployment.readyReplicas}/${deployment.replicas}`;

/** DNS-1123 label from a model name: "Qwen2.5-0.5B-Instruct Q4_K_M" → "qwen2-5-0-5b-instruct-q4-k-m". */
export function deploymentNameFor(modelName: string): string {
  return modelName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** Names the API accepts for a deployment. */
export const DEPLOYMENT_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
