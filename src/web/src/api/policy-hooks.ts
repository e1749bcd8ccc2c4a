import { useCollection, useDeleteItem, useSaveItem } from './collection-hooks';
import type {
  CreateFailoverPolicyRequest,
  CreatePlacementStrategyRequest,
  CreateResourceProfileRequest,
  FailoverPolicy,
  PlacementStrategy,
  ResourceProfile,
} from './types';

/** Where each policy kind lives, and what it is called in sentences. */
export const POLICY_PATHS = {
  resourceProfiles: '/api/resource-profiles',
  placementStrategies: '/api/placement-strategies',
  failoverPolicies: '/api/failover-policies',
} as const;

type Paging = { limit: number; offset: number };

export const useResourceProfiles = (page: Paging) => useCollection<ResourceProfile>(POLICY_PATHS.resourceProfiles, page);
export const useSaveResourceProfile = () => useSaveItem<ResourceProfile, CreateResourceProfileRequest>(POLICY_PATHS.resourceProfiles);

export const usePlacementStrategies = (page: Paging) => useCollection<PlacementStrategy>(POLICY_PATHS.placementStrategies, page);
export const useSavePlacementStrategy = () => useSaveItem<PlacementStrategy, CreatePlacementStrategyRequest>(POLICY_PATHS.placementStrategies);

export const useFailoverPolicies = (page: Paging) => useCollection<FailoverPolicy>(POLICY_PATHS.failoverPolicies, page);
export const useSaveFailoverPolicy = () => useSaveItem<FailoverPolicy, CreateFailoverPolicyRequest>(POLICY_PATHS.failoverPolicies);

export const useDeletePolicy = (path: (typeof POLICY_PATHS)[keyof typeof POLICY_PATHS]) => useDeleteItem(path);
