import type { FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { isApiError } from '../api/client';
import { useLogin } from '../api/hooks';
import type { LoginLocationState } from '../auth/RequireAuth';
import { useDocumentTitle } from '../lib/use-document-title';
import { useTheme } from '../theme/theme';
import { Icon } from '../components/Icon';

export function LoginPage() {
  useDocumentTitle('Sign in');
  const login = useLogin();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const { theme, toggle } = useTheme();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const usernameId = useId();
  const passwordId = useId();
  const errorId = useId();

  // Whoever reaches this page is signed out (or their session ended): drop that session's data.
  useEffect(() => queryClient.removeQueries(), [queryClient]);

  const state = location.state as LoginLocationState | null;
  const from = state?.from;
  // Only same-app paths (state is set by the app, but never follow "//host").
  const target = from && from.startsWith('/') && !from.startsWith('//') && !from.startsWith('/login') ? from : '/';

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    login.mutate(
      { username: username.trim(), password },
      { onSuccess: () => void navigate(target, { replace: true }) },
    );
  };

  const error = login.error;
  let message: string | null = null;
  if (error) {
    message = error.message;
    if (isApiError(error) && error.code === 'LOGIN_THROTTLED' && error.retryAfterSeconds) {
      message += ` Try again in ${formatWait(error.retryAfterSeconds)}.`;
    }
  }

  return (
    <div className="login-page">
      <button
        type="button"
        className="btn btn-icon btn-ghost login-theme"
        aria-label="Dark mode"
        aria-pressed={theme === 'dark'}
        onClick={toggle}
      >
        <Icon name={theme === 'dark' ? 'sun' : 'moon'} />
      </button>
      <main className="login-card">
        <div className="login-brand">
          <span className="brand-mark brand-mark-large" aria-hidden="true">
            H
          </span>
          <div>
            <h1 className="login-title">Sign in to H-MAS</h1>
            <p className="muted">Control plane for serving LLMs on GPU clusters</p>
          </div>
        </div>
        <form onSubmit={onSubmit} aria-describedby={message ? errorId : undefined} noValidate>
          {message ? (
            <div id={errorId} className="alert alert-error" role="alert">
              {message}
            </div>
          ) : (
            state?.notice && (
              <div className="alert alert-success" role="status">
                {state.notice}
              </div>
            )
          )}
          <div className="field">
            <label htmlFor={usernameId} className="field-label">
              Username
            </label>
            <input
              id={usernameId}
              className="input"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={passwordId} className="field-label">
              Password
            </label>
            <input
              id={passwordId}
              className="input"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </div>
          <button
            type="submit"
            className="btn btn-primary btn-block"
            disabled={login.isPending || username.trim() === '' || password === ''}
          >
            {login.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </main>
    </div>
  );
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  return `${Math.ceil(seconds / 60)} min`;
}
