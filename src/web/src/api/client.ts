import type { ErrorEnvelope, ValidationIssue } from './types';

/** An error answered by the control API (or a transport failure, with status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: unknown;
  /** Seconds from a Retry-After header (throttled logins), when present. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    requestId?: string | undefined;
    details?: unknown;
    retryAfterSeconds?: number | undefined;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.details = init.details;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** Field issues of a VALIDATION_FAILED answer, paths joined with dots. */
  get issues(): ValidationIssue[] {
    const raw = (this.details as { issues?: unknown } | undefined)?.issues;
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((issue: unknown) => {
      if (typeof issue !== 'object' || issue === null) return [];
      const { path, message } = issue as { path?: unknown; message?: unknown };
      if (typeof message !== 'string') return [];
      // The server sends JSON pointers ("/username"); zod-style arrays are accepted too.
      const joined = Array.isArray(path)
        ? path.map(String).join('.')
        : typeof path === 'string'
          ? path.replace(/^\//, '').replace(/\//g, '.')
          : '';
      return [{ path: joined, message }];
    });
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/**
 * Called whenever a request other than the login itself answers 401, so the app can send the
 * user back to the login page from anywhere.
 */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => {
    unauthorizedListeners.delete(listener);
  };
}

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, QueryValue>;
  signal?: AbortSignal | undefined;
  /** Do not broadcast a 401 (the login form handles its own). */
  skipUnauthorizedRedirect?: boolean;
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (options.signal) init.signal = options.signal;
  // Only send a JSON content type with a body: the server rejects an empty JSON body.
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError({ status: 0, code: 'NETWORK_ERROR', message: 'Could not reach the H-MAS server. Check your connection and try again.' });
  }

  if (!response.ok) {
    const error = await toApiError(response);
    if (error.status === 401 && !options.skipUnauthorizedRedirect) {
      for (const listener of unauthorizedListeners) listener();
    }
    throw error;
  }
  if (response.status === 204 || response.headers.get('content-length') === '0') {
    return undefined as T;
  }
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  const headerRequestId = response.headers.get('x-request-id') ?? undefined;
  let envelope: Partial<ErrorEnvelope> | undefined;
  try {
    envelope = (await response.json()) as Partial<ErrorEnvelope>;
  } catch {
    envelope = undefined;
  }
  const body = envelope?.error;
  if (body && typeof body.code === 'string' && typeof body.message === 'string') {
    return new ApiError({
      status: response.status,
      code: body.code,
      message: body.message,
      requestId: body.requestId ?? headerRequestId,
      details: body.details,
      retryAfterSeconds,
    });
  }
  return new ApiError({
    status: response.status,
    code: `HTTP_${response.status}`,
    message: response.statusText ? `${response.status} ${response.statusText}` : `Request failed with status ${response.status}`,
    requestId: headerRequestId,
    retryAfterSeconds,
  });
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PATCH', path, { ...options, body }),
  delete: <T = void>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};
