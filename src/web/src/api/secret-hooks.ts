import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { api } from './client';
import { itemPath, useDeleteItem } from './collection-hooks';
import { queryKeys, useInvalidate } from './hooks';
import type { CreateSecretRequest, Page, SecretView } from './types';

export const SECRETS_PATH = '/api/secrets';

/** A secret as the settings list holds it: its name is its id. */
export type SecretRow = SecretView & { id: string };

const asRow = (secret: SecretView): SecretRow => ({ ...secret, id: secret.name });

export function useSecrets(page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: [...queryKeys.collection(SECRETS_PATH), page],
    queryFn: async ({ signal }) => {
      const answer = await api.get<Page<SecretView>>(SECRETS_PATH, { query: page, signal });
      return { ...answer, items: answer.items.map(asRow) };
    },
    placeholderData: keepPreviousData,
  });
}

export type SaveSecretInput = { create: CreateSecretRequest } | { rotate: string; value: string };

/**
 * Creates a secret or gives one a new value. The value is in the request only: answers never
 * carry it, and the mutation keeps nothing once the form is gone.
 */
export function useSaveSecret() {
  const invalidate = useInvalidate(queryKeys.collection(SECRETS_PATH));
  return useMutation({
    mutationFn: async (input: SaveSecretInput) =>
      asRow(
        'create' in input
          ? await api.post<SecretView>(SECRETS_PATH, input.create)
          : await api.post<SecretView>(`${itemPath(SECRETS_PATH, input.rotate)}/rotate`, { value: input.value }),
      ),
    onSuccess: invalidate,
    gcTime: 0,
  });
}

export const useDeleteSecret = () => useDeleteItem(SECRETS_PATH);
