import { useEffect } from 'react';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { isApiError, onUnauthorized } from '../api/client';
import { useMe } from '../api/hooks';
import { ErrorBanner } from '../components/ErrorBanner';
import { CurrentUserContext } from './current-user';

export interface LoginLocationState {
  /** Where to go back to after signing in. */
  from?: string;
  /** Shown above the form, e.g. after a password change ended the session. */
  notice?: string;
}

/** Renders its child routes only for a signed-in user; otherwise sends them to /login. */
export function RequireAuth() {
  const me = useMe();
  const location = useLocation();
  const from = location.pathname + location.search;

  if (me.isPending) {
    return (
      <div className="page-center" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" /> Loading…
      </div>
    );
  }
  if (me.isError) {
    if (isApiError(me.error) && me.error.status === 401) {
      return <Navigate to="/login" replace state={{ from } satisfies LoginLocationState} />;
    }
    return (
      <div className="page-center">
        <div className="panel narrow">
          <ErrorBanner error={me.error} title="Could not load your session." />
          <button type="button" className="btn btn-primary" onClick={() => void me.refetch()}>
            Try again
          </button>
        </div>
      </div>
    );
  }
  return (
    <CurrentUserContext value={me.data}>
      <Outlet />
    </CurrentUserContext>
  );
}

/** Any 401 from the API (expired or revoked session) sends the user to the login page. */
export function UnauthorizedRedirect() {
  const navigate = useNavigate();
  const location = useLocation();
  const from = location.pathname + location.search;
  useEffect(
    () =>
      onUnauthorized(() => {
        if (location.pathname !== '/login') {
          void navigate('/login', { replace: true, state: { from } satisfies LoginLocationState });
        }
      }),
    [navigate, location.pathname, from],
  );
  return null;
}
