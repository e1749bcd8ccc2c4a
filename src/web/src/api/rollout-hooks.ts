import type { Query } from '@tanstack/react-query';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { itemPath } from './collection-hooks';
import { DEPLOYMENTS } from './deployment-hooks';
import { queryKeys, useInvalidate } from './hooks';
import type { ConfigHistoryEntry, Deployment, DeploymentEventRecord, DryRunAnswer, Page, Rollout, RolloutWithProgress } from './types';

/** Rollouts, config history and the events history of one deployment: all keyed under the deployment, so its refresh refreshes them. */
const base = (id: string) => itemPath(DEPLOYMENTS, id);
const key = (id: string, ...rest: unknown[]) => [...queryKeys.item(DEPLOYMENTS, id), ...rest];

const PROGRESSING_MS = 2_000;
const SETTLED_MS = 10_000;

/**
 * The rollout in progress with its live progress; every 2 s. Asked only once the rollouts list
 * shows one progressing (before the first rollout the endpoint answers 404, which the browser logs).
 */
export function useRolloutProgress(id: string, enabled: boolean) {
  return useQuery({
    enabled,
    queryKey: key(id, 'rollout'),
    queryFn: ({ signal }) => api.get<RolloutWithProgress>(`${base(id)}/rollout`, { signal }),
    refetchInterval: PROGRESSING_MS,
  });
}

const pollRollouts = (query: Query<Page<Rollout>>) => (query.state.data?.items[0]?.state === 'progressing' ? PROGRESSING_MS : SETTLED_MS);

/** Rollouts newest first (a page); every 2 s while the newest progresses, else every 10 s. */
export function useRollouts(id: string, page: { limit: number; offset: number }, enabled = true) {
  return useQuery({
    enabled,
    queryKey: key(id, 'rollouts', page),
    queryFn: ({ signal }) => api.get<Page<Rollout>>(`${base(id)}/rollouts`, { query: { ...page }, signal }),
    placeholderData: keepPreviousData,
    refetchInterval: pollRollouts,
  });
}

/** Config history newest first (a page). */
export function useConfigHistory(id: string, page: { limit: number; offset: number }, enabled = true) {
  return useQuery({
    enabled,
    queryKey: key(id, 'config-history', page),
    queryFn: ({ signal }) => api.get<Page<ConfigHistoryEntry>>(`${base(id)}/config-history`, { query: { ...page }, signal }),
    placeholderData: keepPreviousData,
    refetchInterval: SETTLED_MS,
  });
}

/** What going back to a history entry would do (the server's dry run: changes nothing, not audited); `historyId` null asks nothing. */
export function useHistoryRollbackPreview(id: string, historyId: string | null) {
  return useQuery({
    // Not under the item's key: a refresh of the deployment must not ask again.
    queryKey: ['history-rollback-dry-run', id, historyId],
    queryFn: ({ signal }) => api.post<DryRunAnswer>(`${base(id)}/config-history/${historyId ?? ''}/rollback`, undefined, { query: { dryRun: true }, signal }),
    enabled: historyId !== null,
    staleTime: 0,
    gcTime: 0,
    refetchOnWindowFocus: false,
    retry: false,
  });
}

/** Refetches the deployment and everything under it (rollouts, history), and the list and audit log. */
function useInvalidateDeploymentTree() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidate(queryKeys.collection(DEPLOYMENTS));
  return async (id: string) => {
    await Promise.all([invalidate(), queryClient.invalidateQueries({ queryKey: queryKeys.item(DEPLOYMENTS, id) })]);
  };
}

/** Back to the settings a history entry left the deployment with. */
export function useRollbackToHistory() {
  const invalidate = useInvalidateDeploymentTree();
  return useMutation({
    mutationFn: ({ id, historyId }: { id: string; historyId: string }) => api.post<Deployment>(`${base(id)}/config-history/${historyId}/rollback`),
    onSuccess: (_data, { id }) => invalidate(id),
  });
}

/** Back to the settings before the current (or last) rollout. */
export function useRolloutRollback() {
  const invalidate = useInvalidateDeploymentTree();
  return useMutation({
    mutationFn: (id: string) => api.post<Deployment>(`${base(id)}/rollout/rollback`),
    onSuccess: (_data, id) => invalidate(id),
  });
}

export interface EventHistoryQuery {
  type?: 'Normal' | 'Warning' | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  offset: number;
}

/** Events kept in the database, last seen first (a page). */
export function useEventHistory(id: string, query: EventHistoryQuery, enabled = true) {
  return useQuery({
    enabled,
    queryKey: key(id, 'events-history', query),
    queryFn: ({ signal }) => api.get<Page<DeploymentEventRecord>>(`${base(id)}/events/history`, { query: { ...query }, signal }),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}
