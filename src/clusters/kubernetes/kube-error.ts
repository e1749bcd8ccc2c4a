import { ApiException } from '@kubernetes/client-node';
import { AppError } from '../../lib/errors.js';
import { DeadlineError, secondsText, shortReason, UnexpectedAnswerError } from '../connection-error.js';

const HTTP_REASONS: Record<number, string> = {
  401: 'the API server refused the credentials (HTTP 401 Unauthorized): the token or client certificate is wrong or expired',
  403: 'the credentials are not allowed to do this (HTTP 403 Forbidden)',
  404: 'the API server does not know this resource (HTTP 404)',
};

/** Certificate problems Node reports by code: the server's certificate is not trusted. */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/** The `message` of a Kubernetes `Status` body (client-node hands the body over as text). */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const message = (parsed as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

const notKubernetes = (server: string, detail?: string) =>
  `${server} answered, but not like a Kubernetes API server${detail ? ` (${detail})` : ''}: check that this is the API server's address`;

/**
 * Why a call to a Kubernetes (or Karmada) API server failed, in words for an operator: HTTP
 * status, DNS, refused connection, TLS, timeout, an answer that is not the Kubernetes API's.
 * Never quotes request headers (they carry the token), and never an exception of H-MAS or of
 * the client library: those go to `logUnexpected` (the server log) and the answer says so.
 */
export function describeKubeError(error: unknown, server: string, timeoutMs: number, logUnexpected?: (error: unknown) => void): string {
  if (error instanceof ApiException) {
    const said = statusMessage(error.body);
    const reason = HTTP_REASONS[error.code] ?? `the API server answered HTTP ${error.code}`;
    // What the API server itself said (a Status message) is its text, not one of ours.
    return said && error.code !== 401 ? `${reason}: ${shortReason(said, 200)}` : reason;
  }
  if (error instanceof DeadlineError) return error.message;
  if (error instanceof UnexpectedAnswerError) return notKubernetes(server, error.message);
  const { name, code, type, library } = (error ?? {}) as { name?: string; code?: string; type?: string; library?: string };
  if (name === 'AbortError' || name === 'TimeoutError' || type === 'aborted') return `no answer from ${server} within ${secondsText(timeoutMs)}`;
  const errno = code ?? (error as { errno?: string } | undefined)?.errno;
  switch (errno) {
    case 'ECONNREFUSED':
      return `connection refused by ${server}: nothing listens there`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host of ${server} cannot be resolved (DNS)`;
    case 'ECONNRESET':
      return `${server} closed the connection`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${server} cannot be reached from H-MAS (no route)`;
    case 'ETIMEDOUT':
      return `connecting to ${server} timed out`;
  }
  if (errno && UNTRUSTED_CERTIFICATE.has(errno)) return `the TLS certificate of ${server} is not trusted (${errno}); add certificate-authority-data to the kubeconfig`;
  if (errno?.startsWith('ERR_OSSL_') || library === 'PEM routines') {
    return 'the certificate or key data in the kubeconfig cannot be read (certificate-authority-data, client-certificate-data and client-key-data must be base64 of PEM)';
  }
  if (errno?.startsWith('ERR_SSL_') || errno?.startsWith('ERR_TLS_') || errno === 'EPROTO') return `the TLS handshake with ${server} failed (${errno}): check that it serves HTTPS`;
  logUnexpected?.(error);
  // A TypeError or SyntaxError comes from reading an answer the client did not expect.
  if (error instanceof TypeError || error instanceof SyntaxError) return notKubernetes(server);
  return `the request to ${server} failed for a reason H-MAS does not recognise; the server log has the details`;
}

/** What a call was doing, for errors that name the missing permission. */
export interface KubeAction {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  /** `deployments.apps`, `pods`, `pods/log`, … */
  resource: string;
  namespace?: string;
}

/** The words for a permission the kubeconfig's user lacks. Pure. */
export function missingPermission(action: KubeAction): string {
  const where = action.namespace ? ` in namespace ${action.namespace}` : '';
  return `the kubeconfig's user may not ${action.verb} ${action.resource}${where} (HTTP 403 from the cluster); grant it with a Role or ClusterRole`;
}

/** The cluster refused a call for lack of permission: 403 with the permission in words. */
export class ClusterForbiddenError extends AppError {
  constructor(action: KubeAction) {
    super('CLUSTER_FORBIDDEN', `${missingPermission(action)}.`, { statusCode: 403, details: action });
  }
}

/** HTTP status of a client-node error, if it is an answer of the API server. */
export function kubeStatusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}
