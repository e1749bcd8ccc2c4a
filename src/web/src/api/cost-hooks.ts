import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { api, buildUrl } from './client';
import { queryKeys, useInvalidate } from './hooks';
import type { CostGroup, CostReport, GpuPriceList, PutGpuPriceRequest } from './types';

export const COSTS_PATH = '/api/costs';
export const GPU_PRICES_PATH = '/api/settings/gpu-prices';

export interface CostQuery {
  groupBy: CostGroup;
  /** ISO 8601; both unset: the last 30 days. */
  from?: string | undefined;
  to?: string | undefined;
}

export function useCostReport(query: CostQuery) {
  return useQuery({
    queryKey: [...queryKeys.collection(COSTS_PATH), query],
    queryFn: ({ signal }) => api.get<CostReport>(COSTS_PATH, { query: { ...query }, signal }),
    placeholderData: keepPreviousData,
  });
}

/** Where the same report downloads as CSV (a same-origin link: the session cookie goes along). */
export const costCsvUrl = (query: CostQuery): string => buildUrl(COSTS_PATH, { ...query, format: 'csv' });

export function useGpuPrices() {
  return useQuery({
    queryKey: queryKeys.collection(GPU_PRICES_PATH),
    queryFn: ({ signal }) => api.get<GpuPriceList>(GPU_PRICES_PATH, { signal }),
  });
}

const pricePath = (gpuModel: string) => `${GPU_PRICES_PATH}/${encodeURIComponent(gpuModel)}`;

/** Sets or removes a GPU model's price; reports are priced again. */
export function useSaveGpuPrice() {
  const invalidate = useInvalidate(queryKeys.collection(GPU_PRICES_PATH), queryKeys.collection(COSTS_PATH));
  return useMutation({
    mutationFn: async (input: { gpuModel: string; price: PutGpuPriceRequest | null }) => {
      if (input.price) await api.put(pricePath(input.gpuModel), input.price);
      else await api.delete(pricePath(input.gpuModel));
    },
    onSuccess: invalidate,
  });
}
