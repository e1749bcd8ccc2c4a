import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { LoopsView } from './types';

export const SYSTEM_LOOPS = '/api/system/loops';

/**
 * The background loops of the instance that answers, and whether it leads (admins only). Polled
 * every 15 s; TanStack Query pauses the polling while the browser tab is hidden.
 */
export const useSystemLoops = (enabled = true) =>
  useQuery({
    queryKey: [SYSTEM_LOOPS],
    queryFn: ({ signal }) => api.get<LoopsView>(SYSTEM_LOOPS, { signal }),
    refetchInterval: 15_000,
    enabled,
  });
