import { useQueries, useQuery } from '@tanstack/react-query';
import { api } from './client';
import { useCollection, useDeleteItem, useSaveItem } from './collection-hooks';
import { queryKeys } from './hooks';
import type { ApiKey, ApiKeyMetrics, CreateApiKeyRequest, CreatedApiKey, InferenceLogEntry, InferenceLogQuery, RateLimitOverview, UpdateApiKeyRequest } from './types';

// The inference gateway's control API: API keys (the usual collection shape; DELETE revokes),
// the inference log, and the rate limits a key inherits.

export const API_KEYS = '/api/api-keys';
export const INFERENCE_LOGS = '/api/inference-logs';

/** A saved key: the create's answer also carries the plain key, this once. */
export type SavedApiKey = ApiKey & Partial<Pick<CreatedApiKey, 'key'>>;

/** Yours; an admin's list holds everyone's keys. Revoked keys stay listed. */
export function useApiKeys(page: { limit: number; offset: number }) {
  return useCollection<ApiKey>(API_KEYS, page);
}

/** POST (the answer carries the plain key) or PATCH of what changed. */
export function useSaveApiKey() {
  return useSaveItem<SavedApiKey, CreateApiKeyRequest, UpdateApiKeyRequest>(API_KEYS, { forgetAnswer: true });
}

/** DELETE revokes the key for good; it stays listed as revoked. */
export function useRevokeApiKey() {
  return useDeleteItem(API_KEYS);
}

/**
 * The rate-limit overview of each user: the server defaults and the effective limits of their
 * usable keys (what a key with no limit of its own inherits). Keyed under the API keys
 * collection, so saving or revoking a key refetches it too.
 */
export function useRateLimits(userIds: readonly string[]) {
  return useQueries({
    queries: userIds.map((userId) => ({
      queryKey: [...queryKeys.collection(API_KEYS), 'rate-limits', userId],
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<RateLimitOverview>('/api/rate-limits', { query: { userId }, signal }),
      staleTime: 30_000,
    })),
  });
}

/** One key's traffic over the last hour, from Prometheus (503 PROMETHEUS_NOT_CONFIGURED without it); every 30 s. */
export function useApiKeyMetrics(id: string) {
  return useQuery({
    queryKey: [...queryKeys.collection(API_KEYS), id, 'metrics'],
    queryFn: ({ signal }) => api.get<ApiKeyMetrics>(`${API_KEYS}/${id}/metrics`, { query: { range: '1h' }, signal }),
    refetchInterval: 30_000,
    retry: false,
  });
}

/** Requests the gateway answered, newest first; every 30 s. */
export function useInferenceLogs(query: InferenceLogQuery) {
  return useCollection<InferenceLogEntry>(INFERENCE_LOGS, { ...query }, { refetchInterval: 30_000 });
}
