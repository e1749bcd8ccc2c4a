import type { DeploymentServiceDeps } from './deployment-deps.js';
import { createDeploymentIntent } from './deployment-intent.js';
import { createDeploymentObservation } from './deployment-observation.js';
import { createDeploymentPlacement } from './deployment-placement.js';
import { createDeploymentReconcile } from './deployment-reconcile.js';
import { createDeploymentSpecs } from './deployment-spec.js';

export type { DeploymentServiceDeps } from './deployment-deps.js';
export type { DeploymentChangeListener } from './deployment-intent.js';

/**
 * Deployments as the routes and loops see them, put together from their parts: intent (create,
 * update, pause, resume, delete), placement, observation (live status, events, logs) and the
 * reconcile pass.
 */
export function createDeploymentService(deps: DeploymentServiceDeps) {
  const specs = createDeploymentSpecs(deps);
  const placement = createDeploymentPlacement(deps);
  const observation = createDeploymentObservation(deps);
  const intent = createDeploymentIntent(deps, { observation, placement, specs });
  return {
    list: observation.list,
    get: observation.get,
    create: intent.create,
    update: intent.update,
    pause: intent.pause,
    resume: intent.resume,
    remove: intent.remove,
    events: observation.events,
    logs: observation.logs,
    followLogs: observation.followLogs,
    /** Deployments whose model or policies are referred to, for 409s elsewhere. */
    usingModel: (modelId: string) => deps.repo.usingModel(modelId),
    usingPolicy: (policyId: string) => deps.repo.usingPolicy(policyId),
    onChange: intent.onChange,
    announce: intent.announce,
    reconcile: createDeploymentReconcile(deps, { observation, placement, specs }),
    markNotReadyClusters: observation.markNotReadyClusters,
  };
}

export type DeploymentService = ReturnType<typeof createDeploymentService>;
