import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { QueryValue } from './client';
import { api } from './client';
import { queryKeys, useInvalidate } from './hooks';
import type { Page } from './types';

// Hooks for the collections that share one REST shape: GET path (a page, with filters),
// POST path, GET/PATCH/DELETE path/:id. Clusters, models, policies and optimization presets.

export const itemPath = (path: string, id: string) => `${path}/${encodeURIComponent(id)}`;

export function useCollection<T>(
  path: string,
  query: Record<string, QueryValue> & { limit: number; offset: number },
  options: { refetchInterval?: number } = {},
) {
  return useQuery({
    queryKey: [...queryKeys.collection(path), query],
    queryFn: ({ signal }) => api.get<Page<T>>(path, { query, signal }),
    placeholderData: keepPreviousData,
    ...options,
  });
}

export function useItem<T>(path: string, id: string, options: { refetchInterval?: number } = {}) {
  return useQuery({
    queryKey: queryKeys.item(path, id),
    queryFn: ({ signal }) => api.get<T>(itemPath(path, id), { signal }),
    ...options,
  });
}

export type SaveInput<C, U> = { create: C } | { id: string; patch: U };

/**
 * Creates (POST) or changes (PATCH) one item; refreshes the collection and the audit log.
 * `forgetAnswer`: the answer holds a secret shown once (a new API key), so the mutation cache drops
 * it as soon as no component holds it, instead of keeping it for minutes.
 */
export function useSaveItem<T, C, U = Partial<C>>(path: string, options: { forgetAnswer?: boolean } = {}) {
  const invalidate = useInvalidate(queryKeys.collection(path));
  return useMutation({
    mutationFn: (input: SaveInput<C, U>) =>
      'create' in input ? api.post<T>(path, input.create) : api.patch<T>(itemPath(path, input.id), input.patch),
    onSuccess: invalidate,
    ...(options.forgetAnswer ? { gcTime: 0 } : {}),
  });
}

/**
 * Deletes one item. Its own queries are dropped first, so a detail page still on screen does not
 * refetch it (and get a 404) while it navigates away.
 */
export function useDeleteItem(path: string) {
  const queryClient = useQueryClient();
  const invalidate = useInvalidate(queryKeys.collection(path));
  return useMutation({
    mutationFn: (id: string) => api.delete(itemPath(path, id)),
    onSuccess: async (_data, id) => {
      queryClient.removeQueries({ queryKey: queryKeys.item(path, id) });
      await invalidate();
    },
  });
}
