import type { Query } from '@tanstack/react-query';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api } from './client';
import { itemPath } from './collection-hooks';
import { queryKeys, useInvalidate } from './hooks';
import { MODELS } from './model-hooks';
import type {
  CreateDeploymentRequest,
  Deployment,
  DeploymentListQuery,
  DeploymentStatus,
  DryRunAnswer,
  ModelDownload,
  Page,
  ReplicaLogs,
  UpdateDeploymentRequest,
  WorkloadEvent,
} from './types';

export const DEPLOYMENTS = '/api/deployments';

/** Statuses that change on their own soon: polled faster so the page follows them. */
const SETTLING: ReadonlySet<DeploymentStatus> = new Set(['pending', 'deploying', 'deleting']);
const SNAPSHOT_MS = 10_000;
const SETTLING_MS = 2_000;

const pollList = (query: Query<Page<Deployment>>) => (query.state.data?.items.some((item) => SETTLING.has(item.status)) ? SETTLING_MS : SNAPSHOT_MS);
const pollItem = (query: Query<Deployment>) => (query.state.data && SETTLING.has(query.state.data.status) ? SETTLING_MS : SNAPSHOT_MS);

/** The list, with live status (cached where a cluster did not answer); every 10 s, faster while something settles. */
export function useDeployments(query: DeploymentListQuery, options: { refetchInterval?: number } = {}) {
  return useQuery({
    queryKey: [...queryKeys.collection(DEPLOYMENTS), query],
    queryFn: ({ signal }) => api.get<Page<Deployment>>(DEPLOYMENTS, { query: { ...query }, signal }),
    placeholderData: keepPreviousData,
    refetchInterval: options.refetchInterval ?? pollList,
  });
}

/** One deployment with its live status; `enabled` false stops asking (while it is being deleted). */
export function useDeployment(id: string, enabled = true) {
  return useQuery({
    queryKey: queryKeys.item(DEPLOYMENTS, id),
    queryFn: ({ signal }) => api.get<Deployment>(itemPath(DEPLOYMENTS, id), { signal }),
    refetchInterval: pollItem,
    enabled,
  });
}

/** Kubernetes-style events of the workload and its replicas; every 10 s. */
export function useDeploymentEvents(id: string, enabled = true) {
  return useQuery({
    enabled,
    queryKey: [...queryKeys.item(DEPLOYMENTS, id), 'events'],
    queryFn: ({ signal }) => api.get<{ items: WorkloadEvent[] }>(`${itemPath(DEPLOYMENTS, id)}/events`, { signal }),
    select: (data) => data.items,
    refetchInterval: SNAPSHOT_MS,
  });
}

/** The last lines of each replica; every 30 s, and on demand. */
export function useDeploymentLogs(id: string, tailLines: number, enabled = true) {
  return useQuery({
    enabled,
    queryKey: [...queryKeys.item(DEPLOYMENTS, id), 'logs', tailLines],
    queryFn: ({ signal }) => api.get<{ items: ReplicaLogs[] }>(`${itemPath(DEPLOYMENTS, id)}/logs`, { query: { tailLines }, signal }),
    select: (data) => data.items,
    refetchInterval: 30_000,
  });
}

/** Refetches the list and this deployment (its live status); the audit log too. */
function useInvalidateDeployment() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidate(queryKeys.collection(DEPLOYMENTS));
  return async (id: string) => {
    await Promise.all([invalidate(), queryClient.invalidateQueries({ queryKey: queryKeys.item(DEPLOYMENTS, id) })]);
  };
}

export function useCreateDeployment() {
  const invalidate = useInvalidate(queryKeys.collection(DEPLOYMENTS));
  return useMutation({
    mutationFn: (body: CreateDeploymentRequest) => api.post<Deployment>(DEPLOYMENTS, body),
    onSuccess: invalidate,
  });
}

// The answers of pause, resume and PATCH are the saved state (statusSource "cached" although the
// cluster answered), so the page refetches the live status rather than showing them.

export function usePauseResume() {
  const invalidate = useInvalidateDeployment();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'pause' | 'resume' }) => api.post<Deployment>(`${itemPath(DEPLOYMENTS, id)}/${action}`),
    onSuccess: (_data, { id }) => invalidate(id),
  });
}

/** Resumes a paused deployment with new settings (the fields of PATCH), recorded as a change. */
export function useResumeWithSettings() {
  const invalidate = useInvalidateDeployment();
  return useMutation({
    mutationFn: ({ id, settings }: { id: string; settings: UpdateDeploymentRequest | null }) => api.post<Deployment>(`${itemPath(DEPLOYMENTS, id)}/resume`, settings ?? undefined),
    onSuccess: (_data, { id }) => invalidate(id),
  });
}

export function useUpdateDeployment() {
  const invalidate = useInvalidateDeployment();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateDeploymentRequest }) => api.patch<Deployment>(itemPath(DEPLOYMENTS, id), patch),
    onSuccess: (_data, { id }) => invalidate(id),
  });
}

/**
 * What a change would do (PATCH ?dryRun=true changes nothing): restart or not, strategy, fit,
 * diff. Asked once per distinct change; `patch` null asks nothing.
 */
export function useDryRun(id: string, patch: UpdateDeploymentRequest | null) {
  return useQuery({
    // Not under the item's key: refreshing the deployment must not ask again (each dry run is audited).
    queryKey: ['deployment-dry-run', id, patch],
    queryFn: ({ signal }) => api.patch<DryRunAnswer>(itemPath(DEPLOYMENTS, id), patch, { query: { dryRun: true }, signal }),
    enabled: patch !== null,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    gcTime: 60_000,
    refetchOnWindowFocus: false,
    retry: false,
  });
}

/**
 * Deletes a deployment: stops its replicas. Only the list pages are refreshed: the detail page on
 * screen stops its own queries while the delete runs (their `enabled` option) and drops them when it
 * is left ({@link useForgetWhenLeft}), so nothing asks for the deleted deployment and gets a 404.
 */
export function useDeleteDeployment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(itemPath(DEPLOYMENTS, id)),
    onMutate: (id) => queryClient.cancelQueries({ queryKey: queryKeys.item(DEPLOYMENTS, id) }),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.collection(DEPLOYMENTS), predicate: (query) => query.queryKey[1] !== 'one' }),
        queryClient.invalidateQueries({ queryKey: queryKeys.auditLogs }),
      ]);
    },
  });
}

/** Drops a deleted deployment's cached queries once the page showing it is gone. */
export function useForgetWhenLeft(id: string, deleted: boolean) {
  const queryClient = useQueryClient();
  const deletedRef = useRef(deleted);
  useEffect(() => {
    deletedRef.current = deleted;
  }, [deleted]);
  useEffect(
    () => () => {
      if (deletedRef.current) queryClient.removeQueries({ queryKey: queryKeys.item(DEPLOYMENTS, id) });
    },
    [queryClient, id],
  );
}

/** A Hugging Face model file's download progress, polled while `enabled`. */
export function useModelDownload(modelId: string | null, enabled: boolean) {
  return useQuery({
    queryKey: [...queryKeys.item(MODELS, modelId ?? ''), 'download'],
    queryFn: ({ signal }) => api.get<ModelDownload>(`${itemPath(MODELS, modelId ?? '')}/download`, { signal }),
    enabled: enabled && modelId !== null,
    refetchInterval: (query) => (query.state.data?.state === 'done' || query.state.data?.state === 'failed' ? false : 2_000),
    retry: false,
  });
}
