import { createContext, use } from 'react';
import type { User } from '../api/types';

/**
 * The signed-in user, provided by <RequireAuth> once /api/auth/me answered. A context rather
 * than reading the query in each component, so the shell keeps rendering the last known user
 * while the session is being torn down.
 */
export const CurrentUserContext = createContext<User | undefined>(undefined);

export function useCurrentUser(): User {
  const user = use(CurrentUserContext);
  if (!user) throw new Error('useCurrentUser() must be used below <RequireAuth>');
  return user;
}

/** Operators and admins change clusters, models and policies; viewers only look. */
export function useCanOperate(): boolean {
  const { role } = useCurrentUser();
  return role === 'operator' || role === 'admin';
}

/**
 * Admins alone register, test and re-point clusters: those make H-MAS send credentials to an
 * address the caller names, from inside the control plane's network.
 */
export function useIsAdmin(): boolean {
  return useCurrentUser().role === 'admin';
}
