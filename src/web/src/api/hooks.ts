import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, isApiError } from './client';
import type {
  AuditLogEntry,
  AuditLogQuery,
  ChangePasswordRequest,
  CreateUserRequest,
  LoginRequest,
  LoginResponse,
  MeResponse,
  Page,
  UpdateProfileRequest,
  UpdateUserRequest,
  User,
} from './types';

export const queryKeys = {
  me: ['me'] as const,
  users: ['users'] as const,
  usersPage: (limit: number, offset: number) => ['users', { limit, offset }] as const,
  auditLogs: ['audit-logs'] as const,
  auditLogsPage: (query: AuditLogQuery) => ['audit-logs', query] as const,
  /** A collection by its API path ('/api/clusters'): its pages, and its items under 'one'. */
  collection: (path: string) => [path] as const,
  item: (path: string, id: string) => [path, 'one', id] as const,
};

/** Refetches the given keys and the audit log (every change is audited). */
export function useInvalidate(...keys: ReadonlyArray<readonly unknown[]>) {
  const queryClient = useQueryClient();
  return async () => {
    await Promise.all([...keys, queryKeys.auditLogs].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
  };
}

// ---- session ---------------------------------------------------------------------------

export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: ({ signal }) => api.get<MeResponse>('/api/auth/me', { signal }),
    select: (data) => data.user,
    staleTime: 60_000,
  });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) =>
      api.post<LoginResponse>('/api/auth/login', body, { skipUnauthorizedRedirect: true }),
    onSuccess: ({ user }) => {
      // Whatever was cached belonged to the previous session.
      queryClient.removeQueries();
      queryClient.setQueryData<MeResponse>(queryKeys.me, { user });
    },
  });
}

/**
 * Signs out. The cached data of the session is dropped by the login page once the signed-in
 * pages are gone: clearing it while they are still mounted would make them refetch and get 401s.
 */
export function useLogout() {
  return useMutation({
    mutationFn: async () => {
      try {
        await api.post<void>('/api/auth/logout', undefined, { skipUnauthorizedRedirect: true });
      } catch (error) {
        // An expired session is logged out already.
        if (!(isApiError(error) && error.status === 401)) throw error;
      }
    },
  });
}

// ---- users -----------------------------------------------------------------------------

export function useUsers(limit: number, offset: number) {
  return useQuery({
    queryKey: queryKeys.usersPage(limit, offset),
    queryFn: ({ signal }) => api.get<Page<User>>('/api/users', { query: { limit, offset }, signal }),
    placeholderData: keepPreviousData,
  });
}

function useInvalidateUsers() {
  const queryClient = useQueryClient();
  return async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.users }),
      queryClient.invalidateQueries({ queryKey: queryKeys.auditLogs }),
      queryClient.invalidateQueries({ queryKey: queryKeys.me }),
    ]);
  };
}

export function useCreateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (body: CreateUserRequest) => api.post<User>('/api/users', body),
    onSuccess: invalidate,
  });
}

export function useUpdateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateUserRequest }) =>
      api.patch<User>(`/api/users/${encodeURIComponent(id)}`, patch),
    onSuccess: invalidate,
  });
}

export function useDeleteUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/users/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

export function useUpdateProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateProfileRequest) => api.patch<User>('/api/users/me', body),
    onSuccess: async (user) => {
      queryClient.setQueryData<MeResponse>(queryKeys.me, { user });
      await queryClient.invalidateQueries({ queryKey: queryKeys.users });
    },
  });
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ChangePasswordRequest) => api.post<void>('/api/users/me/password', body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.auditLogs }),
  });
}

// ---- audit logs ------------------------------------------------------------------------

export function useAuditLogs(query: AuditLogQuery) {
  return useQuery({
    queryKey: queryKeys.auditLogsPage(query),
    queryFn: ({ signal }) => api.get<Page<AuditLogEntry>>('/api/audit-logs', { query: { ...query }, signal }),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}
