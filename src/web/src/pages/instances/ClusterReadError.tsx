import { isApiError } from '../../api/client';
import { ErrorBanner } from '../../components/ErrorBanner';

/**
 * A failed live read (events, logs). When the cluster did not answer the server's error is not
 * shown as such: it says so in words, with the request id.
 */
export function ClusterReadError({ error, what }: { error: unknown; what: string }) {
  if (!error) return null;
  if (isApiError(error) && (error.status === 0 || error.status >= 500)) {
    return (
      <div className="alert alert-warning" role="alert">
        <span>
          The cluster did not answer: {what} are not available right now. H-MAS tries again shortly.
        </span>
        {error.requestId && <span className="alert-meta">Request ID: {error.requestId}</span>}
      </div>
    );
  }
  return <ErrorBanner error={error} title={`Could not load the ${what}.`} />;
}
