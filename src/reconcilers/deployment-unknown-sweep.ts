import type { Reconciler } from './reconciler.js';

/** Every minute: deployments on clusters that are not ready are marked `unknown`, all at once. */
export function deploymentUnknownSweep(deps: { deployments: { markNotReadyClusters(): Promise<number> } }): Reconciler {
  return {
    name: 'deployment-unknown-sweep',
    intervalMs: 60_000,
    needsLeader: true,
    touches: 'deployments (status unknown on not-ready clusters)',
    tick: async () => void (await deps.deployments.markNotReadyClusters()),
  };
}
