import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { itemPath, useCollection, useDeleteItem, useItem, useSaveItem } from './collection-hooks';
import { queryKeys, useInvalidate } from './hooks';
import type { Cluster, ClusterWithToken, ConnectionRequest, ConnectionTestReport, CreateClusterRequest, ImageWarmerStatus, UpdateClusterRequest } from './types';

export const CLUSTERS = '/api/clusters';

/** Polled: readiness and inventory change on their own (health checks every minute). */
export const useClusters = (limit: number, offset: number) => useCollection<Cluster>(CLUSTERS, { limit, offset }, { refetchInterval: 30_000 });

/** One cluster, polled like the list. */
export const useCluster = (name: string) => useItem<Cluster>(CLUSTERS, name, { refetchInterval: 30_000 });

/** The cluster's image warmer, polled every 15 s (it syncs every minute; nodes warm on their own). */
export const useClusterWarmer = (name: string) =>
  useQuery({
    queryKey: [...queryKeys.item(CLUSTERS, name), 'warmer'],
    queryFn: ({ signal }) => api.get<ImageWarmerStatus>(`${itemPath(CLUSTERS, name)}/warmer`, { signal }),
    refetchInterval: 15_000,
  });

/** Tests a connection before it is saved; stores nothing. */
export function useTestConnection() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (connection: ConnectionRequest) => api.post<ConnectionTestReport>(`${CLUSTERS}/test`, { connection }),
    onSuccess: invalidate,
  });
}

/**
 * Registers a cluster, then tests it once so that its readiness and GPU inventory are there at
 * once (a new cluster is "not tested yet" until the next health check). Agent clusters are not
 * tested: nothing answers until their agent dials in with the token.
 */
export function useRegisterCluster() {
  const invalidate = useInvalidate(queryKeys.collection(CLUSTERS));
  return useMutation({
    mutationFn: async (body: CreateClusterRequest) => {
      const created = await api.post<ClusterWithToken>(CLUSTERS, body);
      if (created.connection.kind === 'agent') return created;
      try {
        const tested = await api.post<Cluster>(`${itemPath(CLUSTERS, created.name)}/test`);
        return { ...tested, ...(created.agentToken ? { agentToken: created.agentToken } : {}) };
      } catch {
        // Registered all the same; the health check will test it.
        return created;
      }
    },
    onSuccess: invalidate,
  });
}

/** Tests a saved cluster now: the answer is its new last test, readiness and inventory. */
export function useTestCluster() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidate(queryKeys.collection(CLUSTERS));
  return useMutation({
    mutationFn: (name: string) => api.post<Cluster>(`${itemPath(CLUSTERS, name)}/test`),
    onSuccess: async (cluster) => {
      queryClient.setQueryData(queryKeys.item(CLUSTERS, cluster.name), cluster);
      await invalidate();
    },
  });
}

export const useSaveCluster = () => useSaveItem<ClusterWithToken, CreateClusterRequest, UpdateClusterRequest>(CLUSTERS);
export const useDeleteCluster = () => useDeleteItem(CLUSTERS);

/** A new agent token; the old one stops working. */
export function useRotateAgentToken() {
  const invalidate = useInvalidate(queryKeys.collection(CLUSTERS));
  return useMutation({
    mutationFn: (name: string) => api.post<{ name: string; agentToken: string }>(`${itemPath(CLUSTERS, name)}/agent-token`),
    onSuccess: invalidate,
  });
}
