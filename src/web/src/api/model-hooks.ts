import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { api } from './client';
import { itemPath, useCollection, useDeleteItem, useItem, useSaveItem } from './collection-hooks';
import { queryKeys, useInvalidate } from './hooks';
import type { CreateModelRequest, FitQuery, FitResult, ImportModelRequest, Model, ModelDraft, ModelListQuery, ModelPresetItem } from './types';

export const MODELS = '/api/models';
const MODEL_PRESETS = '/api/model-presets';

export const useModels = (query: ModelListQuery) => useCollection<Model>(MODELS, { ...query });
export const useModel = (id: string) => useItem<Model>(MODELS, id);
export const useSaveModel = () => useSaveItem<Model, CreateModelRequest>(MODELS);
export const useDeleteModel = () => useDeleteItem(MODELS);

/** GPUs the model needs and whether it fits; runs once the form has been submitted (query set). */
export function useModelFit(id: string, query: FitQuery | null) {
  return useQuery({
    queryKey: [...queryKeys.item(MODELS, id), 'fit', query],
    queryFn: ({ signal }) => api.get<FitResult>(`${itemPath(MODELS, id)}/fit`, { query: { ...query }, signal }),
    enabled: query !== null,
    placeholderData: keepPreviousData,
  });
}

/** The fields an import would fill, from the Hub; saves nothing. */
export function useImportPreview() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: ImportModelRequest) => api.post<ModelDraft>(`${MODELS}/import/huggingface`, body, { query: { dryRun: true } }),
    onSuccess: invalidate,
  });
}

export function useImportModel() {
  const invalidate = useInvalidate(queryKeys.collection(MODELS));
  return useMutation({
    mutationFn: (body: ImportModelRequest) => api.post<Model>(`${MODELS}/import/huggingface`, body),
    onSuccess: invalidate,
  });
}

export function useModelPresets() {
  return useQuery({
    queryKey: queryKeys.collection(MODEL_PRESETS),
    queryFn: ({ signal }) => api.get<{ items: ModelPresetItem[] }>(MODEL_PRESETS, { signal }),
    select: (data) => data.items,
    staleTime: Infinity,
  });
}

export function useAddPreset() {
  const invalidate = useInvalidate(queryKeys.collection(MODELS));
  return useMutation({
    mutationFn: (presetId: string) => api.post<Model>(`${itemPath(MODEL_PRESETS, presetId)}/add`, {}),
    onSuccess: invalidate,
  });
}
