/**
 * The CLI's client for the control API. Errors carry the server's `code`, message and
 * request id so the CLI can print what a person needs.
 */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export interface ApiClient {
  readonly server: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
}

export function createApiClient(options: { server: string; token?: string; timeoutMs?: number }): ApiClient {
  const server = options.server.replace(/\/+$/, '');

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${server}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
    } catch (error) {
      const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new ApiCallError(0, 'SERVER_UNREACHABLE', `Cannot reach the H-MAS server at ${server} (${reason}). Is it running? Set --server or HMAS_SERVER.`, undefined);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const envelope = (parsed as { error?: { code?: string; message?: string; requestId?: string } } | undefined)?.error;
      const hint = response.status === 401 ? ' Run "hmas login" first, or pass --token.' : '';
      throw new ApiCallError(response.status, envelope?.code ?? `HTTP_${response.status}`, `${envelope?.message ?? response.statusText}${hint}`, envelope?.requestId);
    }
    return parsed as T;
  }

  return {
    server,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    patch: (path, body) => call('PATCH', path, body),
    delete: async (path) => {
      await call('DELETE', path);
    },
  };
}
