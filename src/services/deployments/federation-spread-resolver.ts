import type { FederationPlacement } from '../../clusters/federation/federation-placement.js';
import { workloadResourcesOf } from '../../domain/workload.js';
import type { DeploymentRepo } from './deployment-repo.js';
import type { PolicyReader } from './policy-reader.js';

/**
 * Where a federated deployment's replicas go: its placement strategy's `federation` block, read
 * when the federation driver applies the workload (so a changed strategy takes effect at the next
 * apply). Null when the deployment has no strategy, or one without a federation block: the
 * federation cluster's own member then runs every replica.
 */
export function createFederationSpreadResolver(deps: { repo: Pick<DeploymentRepo, 'find'>; policies: PolicyReader }) {
  return async function spreadOf(deploymentId: string): Promise<FederationPlacement | null> {
    const deployment = await deps.repo.find(deploymentId);
    if (!deployment?.placementStrategyId) return null;
    const spread = (await deps.policies.placementStrategy(deployment.placementStrategyId)).federation;
    if (!spread) return null;
    const members = await Promise.all(
      spread.members.map(async ({ resourceProfileId, ...member }) => {
        const profile = await deps.policies.resourceProfile(resourceProfileId);
        return profile ? { ...member, resources: workloadResourcesOf(profile) } : member;
      }),
    );
    return { members, replicaScheduling: spread.replicaScheduling, dynamicWeight: spread.dynamicWeight };
  };
}
