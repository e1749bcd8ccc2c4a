import type { ReactNode } from 'react';
import { isApiError } from '../api/client';

/** A failed request, in words a person can act on, with the request id for support. */
export function ErrorBanner({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  const requestId = isApiError(error) ? error.requestId : undefined;
  return (
    <div className="alert alert-error" role="alert">
      {title && <strong className="alert-title">{title}</strong>}
      <span>{message}</span>
      {requestId && <span className="alert-meta">Request ID: {requestId}</span>}
    </div>
  );
}

export function Notice({ children, onDismiss }: { children: ReactNode; onDismiss?: () => void }) {
  return (
    <div className="alert alert-success" role="status">
      <span>{children}</span>
      {onDismiss && (
        <button type="button" className="btn btn-ghost btn-small alert-dismiss" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
