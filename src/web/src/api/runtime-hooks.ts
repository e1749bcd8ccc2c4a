import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from './client';
import { itemPath, useCollection, useDeleteItem, useSaveItem } from './collection-hooks';
import { queryKeys } from './hooks';
import type {
  CreateOptimizationPresetRequest,
  Optimization,
  OptimizationPreset,
  RenderResult,
  RuntimeDescriptor,
  RuntimeId,
  UpdateOptimizationPresetRequest,
} from './types';

const RUNTIMES = '/api/runtimes';
export const OPTIMIZATION_PRESETS = '/api/optimization-presets';

/** The serving runtimes and their knobs: fixed for a server version. */
export function useRuntimes() {
  return useQuery({
    queryKey: queryKeys.collection(RUNTIMES),
    queryFn: ({ signal }) => api.get<{ items: RuntimeDescriptor[] }>(RUNTIMES, { signal }),
    select: (data) => data.items,
    staleTime: Infinity,
  });
}

/** The command line and environment a runtime would get for these settings (changes nothing). */
export function useRenderPreview() {
  return useMutation({
    mutationFn: ({ runtime, optimization }: { runtime: RuntimeId; optimization: Optimization }) =>
      api.post<RenderResult>(`${itemPath(RUNTIMES, runtime)}/render`, { optimization }),
  });
}

export const useOptimizationPresets = (query: { runtime?: RuntimeId | undefined; limit: number; offset: number }) =>
  useCollection<OptimizationPreset>(OPTIMIZATION_PRESETS, query);
export const useSaveOptimizationPreset = () =>
  useSaveItem<OptimizationPreset, CreateOptimizationPresetRequest, UpdateOptimizationPresetRequest>(OPTIMIZATION_PRESETS);
export const useDeleteOptimizationPreset = () => useDeleteItem(OPTIMIZATION_PRESETS);
